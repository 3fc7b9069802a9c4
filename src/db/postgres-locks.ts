import { Prisma } from '../generated/prisma/client';
import type { Database } from './database';
import { isStatementRefusal } from './database-errors';

/** A row of a statement run after locks, as JSON: dates as ISO text without a zone (see dateFromJson). */
export type JsonRow = Record<string, unknown>;

interface WaitingStatement {
  lockKeys: readonly string[];
  /** Where it goes in its batch: rows it locks (a post's, by the count triggers) in this order. */
  order: number;
  statement: Prisma.Sql;
  answer(rows: JsonRow[]): void;
  refuse(error: unknown): void;
}

/**
 * Runs statements on PostgreSQL after taking a transaction-level advisory lock on each of their
 * keys (the migration's `marginalia_after_locks`), in one round trip. Those sent in one turn of
 * the event loop go together under all of their locks, by `order` (the post's id for a comment),
 * then as sent: each sees what the ones before it wrote, and rows their statements lock (the
 * post a comment counts towards) are locked in one order by every batch, never crosswise.
 * Should the batch fail for one statement (refused by a constraint, say), each is sent again on
 * its own, so only the one at fault fails, with its own error; a database that is busy or
 * unreachable fails them all (sending them again would only wait again).
 */
export function createLockedStatements(db: Database) {
  let waiting: WaitingStatement[] = [];

  async function send(batch: readonly WaitingStatement[]): Promise<JsonRow[][]> {
    const args: string[] = [];
    const texts = batch.map(({ statement }) => withArguments(statement, args));
    const lockKeys = [...new Set(batch.flatMap(({ lockKeys }) => lockKeys))];
    const rows = await db.$queryRaw<{ statement_number: number; affected_row: JsonRow }[]>`
      SELECT statement_number, affected_row
      FROM "marginalia_after_locks"(${lockKeys}::text[], ${texts}::text[], ${args}::text[])`;
    const byStatement = batch.map((): JsonRow[] => []);
    for (const row of rows) byStatement[row.statement_number - 1]!.push(row.affected_row);
    return byStatement;
  }

  async function sendWaiting(): Promise<void> {
    const batch = waiting.sort((a, b) => a.order - b.order);
    waiting = [];
    try {
      const results = await send(batch);
      batch.forEach((sent, index) => sent.answer(results[index]!));
    } catch (error) {
      if (batch.length === 1 || !isStatementRefusal(error)) {
        for (const sent of batch) sent.refuse(error);
        return;
      }
      for (const sent of batch)
        await send([sent]).then(
          ([rows]) => sent.answer(rows!),
          (alone: unknown) => sent.refuse(alone),
        );
    }
  }

  return {
    /** The rows `statement` returns, run once the locks on `lockKeys` are held, in `order` among those sent with it. */
    run(lockKeys: readonly string[], statement: Prisma.Sql, order = 0): Promise<JsonRow[]> {
      return new Promise((answer, refuse) => {
        if (waiting.length === 0) setImmediate(() => void sendWaiting());
        waiting.push({ lockKeys, statement, order, answer, refuse });
      });
    },
  };
}

/**
 * `statement`'s text for the function, its values appended to `args` (one text array shared by a
 * batch): each placeholder becomes an element of it, cast back to the value's type; a null is
 * written as NULL.
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
