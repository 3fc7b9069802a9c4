import { Prisma } from '../generated/prisma/client';
import type { Database } from './database';
import { isStatementRefusal } from './database-errors';
import { sentTogetherEachTurn } from './turn-batches';

/** A row of a statement run after locks, as JSON: dates as ISO text without a zone (see dateFromJson). */
export type JsonRow = Record<string, unknown>;

interface LockedStatement {
  lockKeys: readonly string[];
  statement: Prisma.Sql;
  /** Where it goes in its batch: rows it locks (a post's, by the count triggers) in this order. */
  order: number;
}

/**
 * Runs statements on PostgreSQL after taking a transaction-level advisory lock on each of their
 * keys (the migrations' `marginalia_after_locks`), in one round trip. Those sent in one turn of
 * the event loop go together under all of their locks (turn-batches.ts), by `order` (the post's
 * id for a comment), then as sent: each sees what the ones before it wrote, and rows their
 * statements lock (the post a comment counts towards) are locked in one order by every batch,
 * never crosswise. A statement refused by a constraint fails alone. The function plans each
 * statement text once per connection, so a statement's text must not vary with its values.
 */
export function createLockedStatements(db: Database) {
  async function send(batch: readonly LockedStatement[]): Promise<JsonRow[][]> {
    const inOrder = batch.map((sent, index) => ({ sent, index })).sort((a, b) => a.sent.order - b.sent.order);
    const args = inOrder.map((): string[] => []);
    const texts = inOrder.map(({ sent }, place) => withArguments(sent.statement, args[place]!));
    const lockKeys = [...new Set(batch.flatMap(({ lockKeys }) => lockKeys))];
    const rows = await db.$queryRaw<{ statement_number: number; affected_row: JsonRow }[]>`
      SELECT statement_number, affected_row
      FROM "marginalia_after_locks"(${lockKeys}::text[], ${texts}::text[], ${JSON.stringify(args)}::jsonb)`;
    const results = batch.map((): JsonRow[] => []);
    for (const row of rows) results[inOrder[row.statement_number - 1]!.index]!.push(row.affected_row);
    return results;
  }
  const runTogether = sentTogetherEachTurn(send, isStatementRefusal);

  return {
    /** The rows `statement` returns, run once the locks on `lockKeys` are held, in `order` among those sent with it. */
    run: (lockKeys: readonly string[], statement: Prisma.Sql, order = 0): Promise<JsonRow[]> =>
      runTogether({ lockKeys, statement, order }),
  };
}

/**
 * `statement`'s text for the function, its values appended to `args` (the statement's own text
 * array, `$1` in its text): each placeholder becomes an element of it, cast back to the value's
 * type; a null is written as NULL. The text depends on the statement's shape only, not on its
 * values, so the function prepares it once per connection.
 */
function withArguments(statement: Prisma.Sql, args: string[]): string {
  return statement.strings.reduce(
    (sql, part, index) => `${sql}${placeholderFor(statement.values[index - 1], args)}${part}`,
  );
}

function placeholderFor(value: unknown, args: string[]): string {
  if (value === null || value === undefined) return 'NULL';
  const element = (text: string, type: string) => {
    args.push(text);
    return `CAST($1[${args.length}] AS ${type})`;
  };
  if (value instanceof Date) return element(value.toISOString(), 'timestamp(3)');
  if (typeof value === 'boolean') return element(String(value), 'boolean');
  if (typeof value === 'bigint') return element(value.toString(), 'bigint');
  if (typeof value === 'number')
    return element(String(value), Number.isInteger(value) ? 'integer' : 'double precision');
  if (typeof value === 'string') return element(value, 'text');
  throw new Error(`A value of type ${typeof value} cannot be sent to marginalia_after_locks`);
}

/** A date as `to_jsonb` writes a `timestamp(3)`: ISO text without a zone, in UTC. */
export function dateFromJson(text: string): Date {
  return new Date(`${text}Z`);
}
