import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';
import { connectionOf } from './adapter-connection';

/** A statement that changes rows; everything else (reads, PRAGMA, VACUUM, transaction control) runs as it comes. */
const changesRows = /^\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;

interface WaitingWrite {
  run(transaction: Transaction): Promise<unknown>;
  settle(outcome: Promise<unknown>): void;
}

/**
 * Wraps a driver adapter factory so the writes that arrive together are committed together: each
 * INSERT, UPDATE or DELETE sent outside a transaction waits for the end of the event loop's turn,
 * and all those of one turn run in one transaction, each answered once that transaction has
 * committed. In WAL mode a commit appends every page its statement touched to the log, and a
 * comment touches eight (its row and seven indexes); comments stored together share most of them,
 * and the checkpoints that copy the log back come as many times less often.
 *
 * Each statement still stands alone: one refused by a constraint is undone by SQLite on its own,
 * leaving the others and the transaction as they were, and reports the same error as before. The
 * batch is a transaction like Prisma's own, begun the same way (with the write lock taken up
 * front, waited for off the event loop) under the same mutex, so a write no longer runs inside
 * whatever transaction happens to be open on the shared connection, to be rolled back with it.
 */
export function groupingWrites(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => commitWritesTogether(await factory.connect()),
  };
}

function commitWritesTogether(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const client = connectionOf(adapter);
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  let waiting: WaitingWrite[] = [];

  const enqueue = <T>(run: (transaction: Transaction) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(() => void commitWaiting());
      waiting.push({ run, settle: (outcome) => (outcome as Promise<T>).then(resolve, reject) });
    });

  async function commitWaiting(): Promise<void> {
    const writes = waiting;
    waiting = [];
    let transaction: Transaction;
    try {
      transaction = await adapter.startTransaction();
    } catch (error) {
      for (const write of writes) write.settle(Promise.reject(error));
      return;
    }
    // Each call below runs its statement before it returns (better-sqlite3 is synchronous under
    // the adapter's promises), so the batch and its COMMIT run in one go: no other request's
    // statement can come between them.
    const outcomes: Promise<unknown>[] = [];
    let lost: unknown = null;
    for (const write of writes) {
      const outcome = write.run(transaction);
      // Mark it handled: it is passed on below, once the commit decides what it means.
      outcome.catch(() => undefined);
      outcomes.push(outcome);
      // A disk full or I/O error can roll the whole transaction back: what ran before it is gone.
      if (!client.inTransaction) {
        lost = await outcome.then(() => new Error('The database rolled back a transaction on its own'), (error: unknown) => error);
        break;
      }
    }
    if (lost === null) {
      try {
        await transaction.executeRaw(statement('COMMIT'));
      } catch (error) {
        lost = error;
        if (client.inTransaction) await transaction.executeRaw(statement('ROLLBACK')).catch(() => undefined);
      }
    }
    await transaction.commit();
    writes.forEach((write, index) => write.settle(lost === null ? outcomes[index]! : Promise.reject(lost)));
  }

  adapter.queryRaw = (query) => (changesRows.test(query.sql) ? enqueue((transaction) => transaction.queryRaw(query)) : queryRaw(query));
  adapter.executeRaw = (query) => (changesRows.test(query.sql) ? enqueue((transaction) => transaction.executeRaw(query)) : executeRaw(query));
  return adapter;
}

const statement = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });
