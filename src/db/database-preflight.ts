import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseStartError } from './migrations';
import { createPrivateFile } from './private-file';

// Before anything opens or migrates the database: the mistakes a person can make in DATABASE_URL
// or on the disk, each turned into one line that says what to do, with the file left untouched.

const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

function why(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return 'a file is in the way';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    default:
      return (error as Error).message;
  }
}

function startsLikeSqlite(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(sqliteHeader.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(sqliteHeader);
  } finally {
    closeSync(fd);
  }
}

/** Whether an SQLite file holds tables but no record of marginalia's migrations (someone else's database). */
function isSomeoneElsesDatabase(file: string): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    return tables.length > 0 && !tables.some((table) => table.name === '_prisma_migrations');
  } finally {
    db.close();
  }
}

/** Makes sure the database's folder exists and is writable, and that the file (if any) is marginalia's SQLite database. */
export function checkDatabaseLocation(databaseFile: string): void {
  const dir = path.dirname(databaseFile);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DatabaseStartError(`The data folder ${dir} (from DATABASE_URL) cannot be created: ${why(error)}.`);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new DatabaseStartError(
      `The data folder ${dir} is not writable by this user; the database and its write-ahead log are kept there.`,
    );
  }
  if (!existsSync(databaseFile)) return createPrivateFile(databaseFile);
  const stat = statSync(databaseFile);
  if (stat.isDirectory())
    throw new DatabaseStartError(
      `DATABASE_URL points at ${databaseFile}, which is a folder; name a file (e.g. file:./data/marginalia.db).`,
    );
  if (stat.size === 0) return;
  const leaveIt =
    'so it was left as it is. Point DATABASE_URL at marginalia’s database, or at a new file to start a new blog.';
  if (!startsLikeSqlite(databaseFile))
    throw new DatabaseStartError(`${databaseFile} is not an SQLite database, ${leaveIt}`);
  if (isSomeoneElsesDatabase(databaseFile))
    throw new DatabaseStartError(
      `${databaseFile} is an SQLite database marginalia did not create (it has tables, but no record of marginalia’s migrations), ${leaveIt}`,
    );
}
