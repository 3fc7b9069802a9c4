import Database from 'better-sqlite3';
import {
  DriverAdapterError,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import { LRUCache } from 'lru-cache';
import type { ExternalWrites } from './external-writes';
import { columnTypesOf, isLockedError, toDriverAdapterError, toPrismaRow, toSqliteValue } from './sqlite-conversions';

const adapterName = 'marginalia-sqlite';

/**
 * The project's SQLite driver adapter for Prisma, on Prisma's public driver-adapter interface and
 * better-sqlite3. One connection serves every request, with three things of its own:
 *
 * - **Compiled statements are kept** (an LRU of SQL texts): compiling was a large part of each
 *   query's cost (docs/PERFORMANCE.md).
 * - **Writes sent together are committed together.** Each INSERT, UPDATE or DELETE sent outside a
 *   transaction waits for the end of the event loop's turn, and those of one turn run in one
 *   transaction, each answered after the commit. A WAL commit appends every page its statements
 *   touched, and comments stored together share most of theirs. Each statement still stands
 *   alone: one refused by a constraint is undone by SQLite on its own, the others kept.
 * - **Locks are waited for on a timer.** SQLite's busy timeout sleeps in the calling thread, so one
 *   write waiting for another process (an import, the sqlite3 shell) froze every request. A
 *   statement refused as busy wrote nothing and is tried again after a pause, until the busy
 *   timeout has passed; a transaction takes the write lock as it begins (BEGIN IMMEDIATE), waiting
 *   the same way before it is open, never while open.
 *
 * One transaction is open at a time (a batch of writes or Prisma's own), and no statement sent
 * outside it runs in it: it waits for the transaction's end. So inside an interactive transaction,
 * use its own client; a query sent through the shared one waits until Prisma's timeout ends it.
 */
export class SqliteAdapterFactory implements SqlDriverAdapterFactory {
  readonly provider = 'sqlite';
  readonly adapterName = adapterName;
  #connection: SqliteConnection | null = null;

  constructor(
    private readonly file: string,
    private readonly options: { busyTimeoutMs: number; statementCacheSize?: number },
  ) {}

  connect(): Promise<SqlDriverAdapter> {
    this.#connection = new SqliteConnection(this.file, this.options.busyTimeoutMs, this.options.statementCacheSize);
    return Promise.resolve(this.#connection);
  }

  /** How many statements the open connection keeps compiled. */
  compiledStatementCount(): number {
    return this.#connection?.compiledStatementCount() ?? 0;
  }

  /** Whether another process has committed a change since the last look (SQLite's `data_version`). */
  readonly externalWrites: ExternalWrites = {
    changedSinceLastLook: () => this.#connection?.changedSinceLastLook() ?? false,
    // Other processes see this one's commits in their own data_version.
    announceChange: () => undefined,
  };
}

// The pauses between attempts on a locked database, in milliseconds: SQLite's own busy handler's.
const lockPauses = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

/** A statement that changes rows: sent outside a transaction, it joins the turn's batch. */
const changesRows = /^\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;
/** What may be kept compiled (PRAGMA and EXPLAIN answer what held when compiled; BEGIN and the like are cheap). */
const reusable = /^\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

/** A compiled statement, with its result columns read once (migrations run before the server connects). */
interface CompiledStatement {
  statement: Database.Statement;
  columnNames: string[];
  declaredTypes: (string | null)[];
}

interface BatchedWrite {
  run(): unknown;
  answer(result: unknown): void;
  refuse(error: unknown): void;
}

/** The transaction open on the connection; `ended` settles when it commits or rolls back. */
interface OpenTransaction {
  ended: Promise<void>;
}

class SqliteConnection implements SqlDriverAdapter {
  readonly provider = 'sqlite';
  readonly adapterName = adapterName;
  readonly #db: Database.Database;
  readonly #compiled: LRUCache<string, CompiledStatement>;
  /** Writes sent outside a transaction in this turn of the event loop. */
  #batch: BatchedWrite[] = [];
  /** When the current batch's first write arrived: its wait for the lock counts from then. */
  #batchSince = 0;
  /** Settles when the last transaction to have asked for the connection is done with it. */
  #lastInLine: Promise<void> = Promise.resolve();
  #open: OpenTransaction | null = null;
  #lastDataVersion: number | null = null;

  constructor(
    file: string,
    private readonly busyTimeoutMs: number,
    statementCacheSize = 200,
  ) {
    this.#db = new Database(file.replace(/^file:/, ''));
    this.#db.defaultSafeIntegers(true);
    // Waits are this adapter's, on a timer (see above); SQLite's own would block the process.
    this.#db.pragma('busy_timeout = 0');
    this.#compiled = new LRUCache({ max: statementCacheSize });
  }

  compiledStatementCount(): number {
    return this.#compiled.size;
  }

  changedSinceLastLook(): boolean {
    if (!this.#db.open) return false;
    const version = Number(this.#db.pragma('data_version', { simple: true }));
    const changed = this.#lastDataVersion !== null && version !== this.#lastDataVersion;
    this.#lastDataVersion = version;
    return changed;
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    const run = () => this.run(query);
    return changesRows.test(query.sql) ? this.#joinBatch(run) : this.#outsideTransactions(run);
  }

  executeRaw(query: SqlQuery): Promise<number> {
    const run = () => this.execute(query);
    return changesRows.test(query.sql) ? this.#joinBatch(run) : this.#outsideTransactions(run);
  }

  executeScript(script: string): Promise<void> {
    return this.#outsideTransactions(() => this.exec(script));
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    if (isolationLevel && isolationLevel !== 'SERIALIZABLE')
      throw new DriverAdapterError({ kind: 'InvalidIsolationLevel', level: isolationLevel });
    // Counted from now, queued behind other transactions included: each of those may itself
    // wait out the lock, and waits counted from the head of the line would add up.
    const end = await this.#begin(Date.now() + this.busyTimeoutMs);
    return new SqliteTransaction(this, end);
  }

  dispose(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }

  exec(sql: string): void {
    this.#guarded(() => void this.#db.exec(sql));
  }

  /** Runs `query` on the connection now, as it is (the open transaction's own statements, a batch's). */
  run(query: SqlQuery): SqlResultSet {
    return this.#guarded(() => {
      const compiled = this.#compile(query.sql);
      const args = query.args.map((arg, index) => toSqliteValue(arg, query.argTypes[index]));
      if (!compiled.statement.reader) {
        compiled.statement.run(args);
        return { columnNames: [], columnTypes: [], rows: [] };
      }
      // Stepped to its end (all), never reset midway: a write ended early skips SQLite's checkpoint.
      const rows = compiled.statement.all(args) as unknown[][];
      const columnTypes = columnTypesOf(compiled.declaredTypes, rows);
      return {
        columnNames: compiled.columnNames,
        columnTypes,
        rows: rows.map((row) => toPrismaRow(row, columnTypes)),
      };
    });
  }

  /** Runs `query` now, answering with the count of rows it changed (or read). */
  execute(query: SqlQuery): number {
    return this.#guarded(() => {
      const compiled = this.#compile(query.sql);
      const args = query.args.map((arg, index) => toSqliteValue(arg, query.argTypes[index]));
      if (compiled.statement.reader) return compiled.statement.all(args).length;
      return compiled.statement.run(args).changes;
    });
  }

  #compile(sql: string): CompiledStatement {
    const kept = this.#compiled.get(sql);
    if (kept) return kept;
    const statement = this.#db.prepare(sql);
    const columns = statement.reader ? statement.columns() : [];
    if (statement.reader) statement.raw(true);
    const compiled = {
      statement,
      columnNames: columns.map((column) => column.name),
      declaredTypes: columns.map((column) => column.type),
    };
    if (reusable.test(sql)) this.#compiled.set(sql, compiled);
    return compiled;
  }

  #guarded<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw toDriverAdapterError(error);
    }
  }

  /** Runs `work` once no transaction is open (looking again before each attempt), as #whileLocked. */
  #outsideTransactions<T>(work: () => T): Promise<T> {
    return this.#whileLocked(work, Date.now() + this.busyTimeoutMs, async () => {
      // Ended, the connection may pass straight to the next transaction: look again each time.
      while (this.#open) await this.#open.ended;
    });
  }

  /**
   * Runs `work`, and again after each pause while it finds the database locked, until `deadline`
   * (ms since the epoch); `beforeEach` is awaited before every attempt.
   */
  async #whileLocked<T>(work: () => T, deadline: number, beforeEach?: () => Promise<void>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      await beforeEach?.();
      try {
        return work();
      } catch (error) {
        const pause = lockPauses[Math.min(attempt, lockPauses.length - 1)]!;
        if (!isLockedError(error) || Date.now() + pause > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  /**
   * Waits for the connection's turn, then for the write lock, and begins a transaction holding it.
   * Resolves with the function that ends it (after its COMMIT or ROLLBACK), which passes the turn on.
   */
  async #begin(deadline: number): Promise<() => void> {
    const previous = this.#lastInLine;
    let passOn!: () => void;
    this.#lastInLine = new Promise((resolve) => (passOn = resolve));
    await previous;
    try {
      await this.#whileLocked(() => this.exec('BEGIN IMMEDIATE'), deadline);
    } catch (error) {
      passOn();
      throw error;
    }
    let ended!: () => void;
    const open: OpenTransaction = { ended: new Promise((resolve) => (ended = resolve)) };
    this.#open = open;
    return () => {
      if (this.#open === open) this.#open = null;
      ended();
      passOn();
    };
  }

  #joinBatch<T>(run: () => T): Promise<T> {
    return new Promise<T>((answer, refuse) => {
      if (this.#batch.length === 0) {
        this.#batchSince = Date.now();
        setImmediate(() => void this.#commitBatch());
      }
      this.#batch.push({ run, answer, refuse });
    });
  }

  async #commitBatch(): Promise<void> {
    const writes = this.#batch;
    this.#batch = [];
    let end: () => void;
    try {
      end = await this.#begin(this.#batchSince + this.busyTimeoutMs);
    } catch (error) {
      for (const write of writes) write.refuse(error);
      return;
    }
    // better-sqlite3 is synchronous: the batch and its COMMIT run in one go.
    const outcomes: ({ result: unknown } | { error: unknown })[] = [];
    let lost: unknown = null;
    for (const write of writes) {
      try {
        outcomes.push({ result: write.run() });
      } catch (error) {
        outcomes.push({ error });
      }
      // A disk full or I/O error can roll the whole transaction back: what ran before it is gone.
      if (!this.#db.inTransaction) {
        const last = outcomes.at(-1)!;
        lost = 'error' in last ? last.error : new Error('The database rolled back a transaction on its own');
        break;
      }
    }
    if (lost === null) {
      try {
        this.exec('COMMIT');
      } catch (error) {
        lost = error;
      }
    }
    this.rollbackIfOpen();
    end();
    writes.forEach((write, index) => {
      const outcome = outcomes[index];
      if (lost !== null || !outcome) write.refuse(lost);
      else if ('error' in outcome) write.refuse(outcome.error);
      else write.answer(outcome.result);
    });
  }

  rollbackIfOpen(): void {
    if (!this.#db.inTransaction) return;
    try {
      this.#db.exec('ROLLBACK');
    } catch {
      // Nothing left to undo: SQLite ended the transaction itself.
    }
  }
}

/**
 * Prisma's interactive transaction on the connection. Its statements run as they come (it holds
 * the connection); it sends its own COMMIT and ROLLBACK (`usePhantomQuery`: Prisma sends none).
 */
class SqliteTransaction implements Transaction {
  readonly provider = 'sqlite';
  readonly adapterName = adapterName;
  readonly options = { usePhantomQuery: true };
  #ended = false;

  constructor(
    private readonly connection: SqliteConnection,
    private readonly end: () => void,
  ) {}

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.#whileOpen(() => this.connection.run(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.#whileOpen(() => this.connection.execute(query));
  }

  commit(): Promise<void> {
    return this.#finish(() => this.connection.exec('COMMIT'));
  }

  rollback(): Promise<void> {
    return this.#finish(() => this.connection.rollbackIfOpen());
  }

  createSavepoint(name: string): Promise<void> {
    return this.#whileOpen(() => this.connection.exec(`SAVEPOINT ${name}`));
  }

  rollbackToSavepoint(name: string): Promise<void> {
    return this.#whileOpen(() => this.connection.exec(`ROLLBACK TO ${name}`));
  }

  releaseSavepoint(name: string): Promise<void> {
    return this.#whileOpen(() => this.connection.exec(`RELEASE SAVEPOINT ${name}`));
  }

  #whileOpen<T>(work: () => T): Promise<T> {
    return promised(() => {
      if (this.#ended) throw new DriverAdapterError({ kind: 'TransactionAlreadyClosed', cause: 'already ended' });
      return work();
    });
  }

  #finish(close: () => void): Promise<void> {
    return promised(() => {
      if (this.#ended) return;
      this.#ended = true;
      try {
        close();
      } finally {
        // A COMMIT refused (a disk full) leaves the transaction open: undo it before passing the connection on.
        this.connection.rollbackIfOpen();
        this.end();
      }
    });
  }
}

/** `work`'s result, or what it threw, as a promise. */
function promised<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}
