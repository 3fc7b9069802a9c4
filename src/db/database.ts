import { randomBytes } from 'node:crypto';
import { PrismaClient } from '../generated/prisma/client';
import type { DatabaseLocation } from '../shared/database-location';
import { checkDatabaseLocation } from './database-preflight';
import { applyMigrations, DatabaseStartError } from './migrations';
import { SqliteAdapterFactory } from './sqlite-adapter';
import type { ExternalWrites } from './external-writes';
import { postgresDialect, sqliteDialect, type SqlDialect } from './sql-dialect';

/**
 * The Prisma client the rest of the app uses. Both engines' generated clients have the same
 * models and methods (their schemas are kept in step by a test), so the PostgreSQL one is used
 * through the SQLite one's type.
 */
export type Database = PrismaClient;

/** The connection settings the server runs with, read back from the database (logged once at start). */
export type DatabaseSettings =
  | { engine: 'sqlite'; journalMode: string; synchronous: string; busyTimeoutMs: number; foreignKeys: boolean }
  | { engine: 'postgres'; serverVersion: string };

export interface OpenedDatabase {
  db: Database;
  /** Whether another process has written to the database since the last look. */
  externalWrites: ExternalWrites;
  settings: DatabaseSettings;
  appliedMigrations: string[];
}

const synchronousNames = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

// The engine each open client runs on, for the repositories' raw SQL (see sql-dialect.ts).
const dialects = new WeakMap<Database, SqlDialect>();

/** The SQL dialect of the engine `db` runs on. */
export function dialectOf(db: Database): SqlDialect {
  return dialects.get(db) ?? sqliteDialect;
}

/** Opens the database DATABASE_URL names, migrated to the latest schema. */
export async function openDatabase(options: {
  location: DatabaseLocation;
  busyTimeoutMs: number;
  /**
   * For a server: it announces its changes to pages through `externalWrites.announceChange()`
   * after they are committed. Tools (imports) leave that to PostgreSQL's triggers.
   */
  announcesChanges?: boolean;
}): Promise<OpenedDatabase> {
  return options.location.engine === 'postgres'
    ? openPostgres(options.location.url, options.busyTimeoutMs, options.announcesChanges ?? false)
    : openSqlite(options.location.file, options.busyTimeoutMs);
}

/**
 * Applies pending migrations (once, however many instances start together) and connects Prisma
 * through its PostgreSQL adapter. The connections are named after this process, so the change
 * notices other instances send can be told from its own (postgres-changes.ts).
 */
async function openPostgres(url: string, busyTimeoutMs: number, announcesChanges: boolean): Promise<OpenedDatabase> {
  // Loaded only here: a blog on SQLite never pays for PostgreSQL's driver and client in memory.
  const [
    { PrismaPg },
    { PrismaClient: PostgresPrismaClient },
    { applyPostgresMigrations },
    { listeningForOtherInstances },
  ] = await Promise.all([
    import('@prisma/adapter-pg'),
    import('../generated/prisma-postgres/client'),
    import('./postgres-migrations'),
    import('./postgres-changes'),
  ]);
  // The migration's page-change trigger stays silent for connections named as a server's.
  const instance = `marginalia-${announcesChanges ? 'server' : 'tool'}-${process.pid}-${randomBytes(4).toString('hex')}`;
  let appliedMigrations: string[];
  try {
    appliedMigrations = await applyPostgresMigrations(url);
  } catch (error) {
    if (error instanceof DatabaseStartError) throw error;
    const reason = withoutPasswordParts((error as Error).message, url);
    // The one mistake PostgreSQL's own words leave unclear: a database the blog's user does not own.
    const hint = /permission denied for schema public/.test(reason)
      ? ' (the user in DATABASE_URL must own the database: ALTER DATABASE … OWNER TO that user)'
      : '';
    throw new DatabaseStartError(`The PostgreSQL database in DATABASE_URL could not be opened: ${reason}${hint}.`);
  }
  const db = new PostgresPrismaClient({
    adapter: new PrismaPg({
      connectionString: url,
      application_name: instance,
      // A request waits at most this long for a connection, and a statement for a lock (a bulk
      // action holding a post, say), so a database that cannot answer in time makes a 503
      // (error-handler.ts), never a request that hangs.
      connectionTimeoutMillis: 5_000,
      lock_timeout: busyTimeoutMs,
    }),
    transactionOptions: { maxWait: busyTimeoutMs + 2_000, timeout: busyTimeoutMs + 5_000 },
  }) as unknown as Database;
  dialects.set(db, postgresDialect);
  try {
    const [row] = await db.$queryRaw<{ version: string }[]>`SELECT current_setting('server_version') AS version`;
    const externalWrites = await listeningForOtherInstances(url, instance);
    const disconnect = db.$disconnect.bind(db);
    db.$disconnect = async () => {
      await externalWrites.stop();
      await disconnect();
    };
    return {
      db,
      externalWrites,
      settings: { engine: 'postgres', serverVersion: row?.version ?? 'unknown' },
      appliedMigrations,
    };
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
}

/**
 * Checks the database's location, applies pending migrations, and connects Prisma with
 * WAL journaling (readers never wait for the writer) and a busy timeout (a writer waits for a
 * lock held by another connection instead of failing at once; see sqlite-adapter.ts).
 */
async function openSqlite(databaseFile: string, busyTimeoutMs: number): Promise<OpenedDatabase> {
  checkDatabaseLocation(databaseFile);
  const appliedMigrations = await applyMigrations(databaseFile);
  const adapter = new SqliteAdapterFactory(databaseFile, { busyTimeoutMs });
  const db = new PrismaClient({
    adapter,
    // A transaction begins by waiting for the write lock (sqlite-adapter.ts): Prisma must give it the
    // whole busy timeout on top of its usual two seconds, or a lock held between the two would
    // fail as "unable to start a transaction" instead of "busy".
    transactionOptions: { maxWait: busyTimeoutMs + 2_000 },
  });
  dialects.set(db, sqliteDialect);
  try {
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash or kill of this process; only a power loss
    // or OS crash can roll back the last transactions. FULL would also cover that at the cost
    // of an fsync per comment; see docs/OPERATIONS.md.
    await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
    await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
    return {
      db,
      externalWrites: adapter.externalWrites,
      settings: { engine: 'sqlite', ...(await readSqliteSettings(db)), busyTimeoutMs },
      appliedMigrations,
    };
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
}

// The busy timeout is not read back: SQLite's own is 0 (sqlite-adapter.ts waits instead).
async function readSqliteSettings(db: Database) {
  const pragma = async (name: string): Promise<unknown> => {
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`);
    return Object.values(rows[0] ?? {})[0];
  };
  return {
    journalMode: String(await pragma('journal_mode')),
    synchronous: synchronousNames[Number(await pragma('synchronous'))] ?? 'unknown',
    foreignKeys: Number(await pragma('foreign_keys')) === 1,
  };
}

/**
 * `message` with every piece of the URL's password hidden. A password with an unencoded `@` or `/`
 * is read partly as the host, and PostgreSQL's driver then names that "host" in its error.
 */
function withoutPasswordParts(message: string, url: string): string {
  const credentials = /^[a-z]+:\/\/[^:/@]*:(.*)@[^@]*$/i.exec(url)?.[1] ?? '';
  return credentials
    .split(/[@/?#]/)
    .filter((part) => part.length >= 3)
    .reduce((text, part) => text.split(part).join('***'), message);
}
