import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';
import { connectionOf, plainStatement as statement, tuningEachAdapter } from './adapter-connection';

/** A statement that changes rows; everything else (reads, PRAGMA, VACUUM, transaction control) runs as it comes. */
const changesRows = /^\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;

/** A rejection reason as an Error (the driver's are; anything else is wrapped). */
const asError = (reason: unknown): Error => (reason instanceof Error ? reason : new Error(String(reason)));

interface WaitingWrite {
  run(transaction: Transaction): Promise<unknown>;
  settle(outcome: Promise<unknown>): void;
}

/**
 * Wraps a driver adapter factory for the one connection every request shares, with two rules.
 *
 * Writes that arrive together are committed together: each INSERT, UPDATE or DELETE sent outside
 * a transaction waits for the end of the event loop's turn, and all those of one turn run in one
 * transaction, each answered once that transaction has committed. In WAL mode a commit appends
 * every page its statement touched to the log, and a comment touches eight (its row and seven
 * indexes); comments stored together share most of them, and the checkpoints that copy the log
 * back come as many times less often. Each statement still stands alone: one refused by a
 * constraint is undone by SQLite on its own, leaving the others and the transaction as they
 * were, and reports the same error as before.
 *
 * No statement sent outside a transaction runs inside one. Prisma's adapter keeps transactions
 * apart with a mutex, but a statement sent while one was open ran in it: a write was rolled back
 * with it after being acknowledged, and a read saw rows that were then undone (and a page
 * rendered from them could be kept). A batch of writes is a transaction like Prisma's own, under
 * the same mutex; any other statement sent while a transaction is open waits for its end. So
 * inside an interactive transaction, use its own client: a query sent through the shared one
 * waits for the transaction it was meant to be part of, until Prisma's timeout ends it.
 */
export function sharingOneConnection(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return tuningEachAdapter(factory, shareOneConnection);
}

function shareOneConnection(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const client = connectionOf(adapter);
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  let waiting: WaitingWrite[] = [];
  // Settles when the transaction open on the connection ends; null while none is open (one
  // waiting for the write lock is not open yet: lock-waits.ts begins it only once it has it).
  let openTransactionEnds: Promise<void> | null = null;

  const enqueue = <T>(run: (transaction: Transaction) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(() => void commitWaiting());
      waiting.push({ run, settle: (outcome) => void (outcome as Promise<T>).then(resolve, reject) });
    });

  async function outsideTransactions<T>(run: () => Promise<T>): Promise<T> {
    // The mutex may hand the connection straight to the next transaction: look again each time.
    while (openTransactionEnds) await openTransactionEnds;
    return run();
  }

  async function commitWaiting(): Promise<void> {
    const writes = waiting;
    waiting = [];
    let transaction: Transaction;
    try {
      transaction = await adapter.startTransaction();
    } catch (error) {
      for (const write of writes) write.settle(Promise.reject(asError(error)));
      return;
    }
    // Each call below runs its statement before it returns (better-sqlite3 is synchronous under
    // the adapter's promises), so the batch and its COMMIT run in one go.
    const outcomes: Promise<unknown>[] = [];
    let lost: unknown = null;
    for (const write of writes) {
      const outcome = write.run(transaction);
      // Mark it handled: it is passed on below, once the commit decides what it means.
      outcome.catch(() => undefined);
      outcomes.push(outcome);
      // A disk full or I/O error can roll the whole transaction back: what ran before it is gone.
      if (!client.inTransaction) {
        lost = await outcome.then(
          () => new Error('The database rolled back a transaction on its own'),
          (error: unknown) => error,
        );
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
    writes.forEach((write, index) => write.settle(lost === null ? outcomes[index]! : Promise.reject(asError(lost))));
  }

  adapter.startTransaction = async (isolationLevel) => {
    const transaction = await startTransaction(isolationLevel);
    let ended!: () => void;
    const ends = new Promise<void>((resolve) => (ended = resolve));
    openTransactionEnds = ends;
    const ending = (close: () => Promise<void>) => async () => {
      try {
        await close();
      } finally {
        if (openTransactionEnds === ends) openTransactionEnds = null;
        ended();
      }
    };
    transaction.commit = ending(transaction.commit.bind(transaction));
    transaction.rollback = ending(transaction.rollback.bind(transaction));
    return transaction;
  };
  adapter.queryRaw = (query) =>
    changesRows.test(query.sql)
      ? enqueue((transaction) => transaction.queryRaw(query))
      : outsideTransactions(() => queryRaw(query));
  adapter.executeRaw = (query) =>
    changesRows.test(query.sql)
      ? enqueue((transaction) => transaction.executeRaw(query))
      : outsideTransactions(() => executeRaw(query));
  return adapter;
}
