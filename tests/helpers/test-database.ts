import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

// Which engine the tests run on: SQLite (a file in the test's temp folder) unless the jest project
// `postgres` set MARGINALIA_TEST_ENGINE (npm run test:postgres), in which case each test app gets
// a database of its own on the PostgreSQL server the PG* variables name (as pg_virtualenv sets them).

export const testEngine: 'sqlite' | 'postgres' =
  process.env.MARGINALIA_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/** The PostgreSQL server's URL for database `name`, from the PG* variables. */
export function postgresUrl(name: string): string {
  const url = new URL('postgresql://localhost');
  url.hostname = process.env.PGHOST?.startsWith('/') ? 'localhost' : (process.env.PGHOST ?? '127.0.0.1');
  url.port = process.env.PGPORT ?? '5432';
  url.username = process.env.PGUSER ?? 'postgres';
  url.password = process.env.PGPASSWORD ?? '';
  url.pathname = `/${name}`;
  return url.href;
}

/** Runs `work` on a connection of its own to the PostgreSQL database at `url`, closed after. */
export async function withPostgres<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The rows one query gives on the PostgreSQL database at `url`. */
export function queryPostgres<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  return withPostgres(url, async (client) => (await client.query<T>(sql, values)).rows);
}

const asAdmin = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> =>
  withPostgres(postgresUrl(process.env.PGDATABASE ?? 'postgres'), work);

/** A new, empty PostgreSQL database; its URL. */
export async function createPostgresDatabase(): Promise<string> {
  const name = `marginalia_test_${randomBytes(6).toString('hex')}`;
  await asAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  return postgresUrl(name);
}

/** Drops a database made by createPostgresDatabase, closing whatever is still connected. */
export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await asAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** DATABASE_URL for a fresh database of the test engine: a file in `dir`, or a new PostgreSQL database. */
export async function freshDatabaseUrl(dir: string, fileName = 'test.db'): Promise<string> {
  return testEngine === 'postgres' ? createPostgresDatabase() : `file:${path.join(dir, fileName)}`;
}

/** Removes what freshDatabaseUrl made outside `dir`. */
export async function removeDatabase(databaseUrl: string): Promise<void> {
  if (databaseUrl.startsWith('postgres')) await dropPostgresDatabase(databaseUrl);
}

/** The SQLite file of a configuration, for tests of SQLite itself. */
export function sqliteFileOf(config: { database: { engine: string; file?: string } }): string {
  if (config.database.engine !== 'sqlite' || !config.database.file) throw new Error('this test is about SQLite');
  return config.database.file;
}

/**
 * Makes the database unreachable until the returned function is called: the SQLite file's folder
 * moved away, or the PostgreSQL database closed to connections (those open are ended).
 */
export async function takeDatabaseAway(databaseUrl: string, dir: string): Promise<() => Promise<void>> {
  if (!databaseUrl.startsWith('postgres')) {
    renameSync(dir, `${dir}-away`);
    return () => Promise.resolve(renameSync(`${dir}-away`, dir));
  }
  const name = new URL(databaseUrl).pathname.slice(1);
  await asAdmin(async (client) => {
    await client.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
  });
  return () => asAdmin(async (client) => void (await client.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`)));
}
