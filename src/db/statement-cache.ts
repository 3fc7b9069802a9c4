import Database from 'better-sqlite3';
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { LRUCache } from 'lru-cache';
import { connectionOf, tuningEachAdapter } from './adapter-connection';

/** The part of a better-sqlite3 statement that Prisma's adapter uses: bind once, then read or run. */
interface BoundStatement {
  readonly reader: boolean;
  columns(): Database.ColumnDefinition[];
  raw(): { all(): unknown[] };
  run(): Database.RunResult;
}

/** How many distinct SQL texts stay compiled; the app issues a few dozen shapes. */
const defaultCapacity = 200;

/**
 * Wraps Prisma's better-sqlite3 adapter factory so each SQL text is compiled once per
 * connection instead of on every query. The adapter (7.10) calls `prepare(sql).bind(args)` for
 * every query, and compiling was a large part of each query's cost (docs/PERFORMANCE.md). A compiled statement is handed back with a `bind` that passes the arguments at
 * execution instead, since better-sqlite3 lets a statement be bound only once, and with its result
 * columns read once (the adapter asks for them on every read; the schema cannot change under a
 * running server, whose migrations are applied before it connects).
 *
 * Statements that read the schema's state at compile time (EXPLAIN, PRAGMA) and transaction
 * control are always compiled afresh.
 */
export function cachingStatements(
  factory: SqlDriverAdapterFactory,
  capacity = defaultCapacity,
): StatementCachingFactory {
  const compiled = new LRUCache<string, ReusableStatement>({ max: capacity });
  return {
    ...tuningEachAdapter(factory, (adapter) => reuseCompiledStatements(adapter, compiled)),
    compiledStatementCount: () => compiled.size,
  };
}

/** A driver adapter factory that also tells how many statements it keeps compiled. */
export interface StatementCachingFactory extends SqlDriverAdapterFactory {
  compiledStatementCount(): number;
}

function reuseCompiledStatements(
  adapter: SqlDriverAdapter,
  compiled: LRUCache<string, ReusableStatement>,
): SqlDriverAdapter {
  const client = connectionOf(adapter);
  const compile = client.prepare.bind(client);
  // Statements belong to their connection: a reconnect starts with none.
  compiled.clear();
  const prepare = (sql: string): Database.Statement | ReusableStatement => {
    if (!isReusable(sql)) return compile(sql);
    let statement = compiled.get(sql);
    if (!statement) {
      statement = reusable(compile(sql));
      compiled.set(sql, statement);
    }
    return statement;
  };
  Object.assign(client, { prepare });
  return adapter;
}

/** A compiled statement that takes its arguments at execution, with its result columns read once. */
interface ReusableStatement {
  bind(args: unknown[]): BoundStatement;
}

function reusable(statement: Database.Statement): ReusableStatement {
  const { reader } = statement;
  const columns = reader ? statement.columns() : [];
  if (reader) statement.raw(true);
  return {
    bind: (args) => ({
      reader,
      columns: () => columns,
      raw: () => ({ all: () => statement.all(args) }),
      run: () => statement.run(args),
    }),
  };
}

const reusableStart = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

function isReusable(sql: string): boolean {
  return reusableStart.test(sql);
}
