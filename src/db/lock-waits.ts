import {
  isDriverAdapterError,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import { connectionOf, plainStatement as statement, tuningEachAdapter } from './adapter-connection';

// The pauses between attempts, in milliseconds: the schedule SQLite's own busy handler uses.
const pauses = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

/**
 * Wraps Prisma's better-sqlite3 adapter factory so a statement that finds another process holding
 * the write lock (an import's transaction, the sqlite3 shell) waits for it without stopping the
 * server: SQLite's own busy timeout sleeps in the calling thread, so one waiting comment froze
 * every other request, cached pages included, for up to `waitMs`. A statement on its own is
 * tried again after a timer, until `waitMs` has passed; refused with SQLITE_BUSY, it wrote
 * nothing, so running it again is safe.
 *
 * A transaction takes the write lock when it begins (BEGIN IMMEDIATE), waiting the same way
 * before it opens, never while open: every request shares this one connection, and whatever other
 * requests send while a transaction is open waits for its end (shared-connection.ts), so a
 * transaction waiting while open would hold up every one of them.
 */
export function waitingForLocksAsync(factory: SqlDriverAdapterFactory, waitMs: number): SqlDriverAdapterFactory {
  return tuningEachAdapter(factory, (adapter) => waitOffTheEventLoop(adapter, waitMs));
}

function waitOffTheEventLoop(adapter: SqlDriverAdapter, waitMs: number): SqlDriverAdapter {
  connectionOf(adapter).pragma('busy_timeout = 0');
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.queryRaw = (query: SqlQuery) => retryWhileLocked(() => queryRaw(query), Date.now() + waitMs);
  adapter.executeRaw = (query: SqlQuery) => retryWhileLocked(() => executeRaw(query), Date.now() + waitMs);
  adapter.startTransaction = async (isolationLevel) => {
    // The wait counts from now, queued behind other transactions included: each of those may
    // itself wait out the lock, and waits counted from the mutex would add up, one behind another.
    const deadline = Date.now() + waitMs;
    // Resolves once the adapter's mutex is this transaction's, with its BEGIN (deferred: no lock
    // taken yet) sent. That BEGIN is undone, and the write lock taken up front instead, waiting
    // with no transaction open; once held, no statement of the transaction can be refused.
    const transaction = await startTransaction(isolationLevel);
    try {
      await transaction.executeRaw(statement('ROLLBACK'));
      await retryWhileLocked(() => transaction.executeRaw(statement('BEGIN IMMEDIATE')), deadline);
    } catch (error) {
      // Lets go of the mutex; there is no transaction left to roll back.
      await transaction.rollback();
      throw error;
    }
    return transaction;
  };
  return adapter;
}

/** Runs `run`, and again after each pause while it finds the lock held, until `deadline` (ms since the epoch). */
async function retryWhileLocked<T>(run: () => Promise<T>, deadline: number): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      const pause = pauses[Math.min(attempt, pauses.length - 1)]!;
      if (!isLocked(error) || Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

function isLocked(error: unknown): boolean {
  if (!(error instanceof Error) || !isDriverAdapterError(error)) return false;
  const cause = error.cause as { originalCode?: unknown };
  return typeof cause.originalCode === 'string' && cause.originalCode.startsWith('SQLITE_BUSY');
}
