import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client';
import { checkDatabaseLocation } from './database-preflight';
import { applyMigrations } from './migrations';
import { sharingOneConnection } from './shared-connection';
import { waitingForLocksAsync } from './lock-waits';
import { cachingStatements } from './statement-cache';
import { watchingExternalWrites, type ExternalWrites } from './external-writes';

export type Database = PrismaClient;

/** The connection settings the server runs with, read back from SQLite (logged once at start). */
export interface DatabaseSettings {
  journalMode: string;
  synchronous: string;
  busyTimeoutMs: number;
  foreignKeys: boolean;
}

export interface OpenedDatabase {
  db: Database;
  /** Whether another process has written to the database since the last look. */
  externalWrites: ExternalWrites;
  settings: DatabaseSettings;
  appliedMigrations: string[];
}

const synchronousNames = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

/**
 * Checks the database's location, applies pending migrations, and connects Prisma with
 * WAL journaling (readers never wait for the writer) and a busy timeout (a writer waits for a
 * lock held by another connection instead of failing at once; see lock-waits.ts).
 */
export async function openDatabase(options: { databaseFile: string; busyTimeoutMs: number }): Promise<OpenedDatabase> {
  checkDatabaseLocation(options.databaseFile);
  const appliedMigrations = await applyMigrations(options.databaseFile);
  const watched = watchingExternalWrites(cachingStatements(new PrismaBetterSqlite3({ url: options.databaseFile })));
  const db = new PrismaClient({
    adapter: sharingOneConnection(waitingForLocksAsync(watched.factory, options.busyTimeoutMs)),
    // A transaction begins by waiting for the write lock (lock-waits.ts): Prisma must give it the
    // whole busy timeout on top of its usual two seconds, or a lock held between the two would
    // fail as "unable to start a transaction" instead of "busy".
    transactionOptions: { maxWait: options.busyTimeoutMs + 2_000 },
  });
  try {
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash or kill of this process; only a power loss
    // or OS crash can roll back the last transactions. FULL would also cover that at the cost
    // of an fsync per comment; see docs/OPERATIONS.md.
    await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
    await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
    return {
      db,
      externalWrites: watched.externalWrites,
      settings: { ...(await readDatabaseSettings(db)), busyTimeoutMs: options.busyTimeoutMs },
      appliedMigrations,
    };
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
}

// The busy timeout is not read back: SQLite's own is 0 outside transactions (lock-waits.ts waits instead).
async function readDatabaseSettings(db: Database): Promise<Omit<DatabaseSettings, 'busyTimeoutMs'>> {
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
