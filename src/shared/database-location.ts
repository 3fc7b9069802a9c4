/**
 * Where the data lives, from DATABASE_URL: an SQLite file (the embedded default, one server
 * process) or a PostgreSQL database (any number of server processes).
 */
export type DatabaseLocation = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/** The location as DATABASE_URL would name it, for a tool run in a child process. */
export function databaseUrlOf(location: DatabaseLocation): string {
  return location.engine === 'sqlite' ? `file:${location.file}` : location.url;
}
