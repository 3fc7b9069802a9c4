import { createHash } from 'node:crypto';
import type { Database } from '../db/database';
import { isStatementRefusal } from '../db/database-errors';
import { sentTogetherEachTurn } from '../db/turn-batches';
import type { Clock } from '../shared/clock';

export interface CounterState {
  hits: number;
  resetAt: Date;
}

export type RateLimitCounters = ReturnType<typeof createRateLimitCounters>;

/**
 * A key as stored: itself, or past 200 characters its SHA-256 (a client address comes from a
 * header a trusted proxy passes on, and a B-tree index takes no entry past a few KB).
 */
function storedKey(key: string): string {
  return key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

interface Hit {
  key: string;
  windowMs: number;
}

/**
 * Rate-limit counters in PostgreSQL, so every server process on it counts against the same
 * allowance. The hits counted in one turn of the event loop are sent together
 * (db/turn-batches.ts), as one upsert that starts a new window where the old one is over: atomic
 * however many processes count at once, and one round trip for every request that arrived
 * together. Each hit is answered with its own place in the count. The window's end comes from the
 * app's clock, so tests move it as they move everything else.
 */
export function createRateLimitCounters(db: Database, clock: Clock) {
  let lastSweep = 0;

  /** Counts the hits in one upsert, keys in order (rows locked in one order by every process). */
  async function count(hits: readonly Hit[]): Promise<CounterState[]> {
    const now = clock.now();
    // Counters whose window ended long ago are deleted now and then, by whichever process counts.
    if (now.getTime() - lastSweep > 60_000) {
      lastSweep = now.getTime();
      void db.rateLimitCounter.deleteMany({ where: { resetAt: { lt: now } } }).catch(() => undefined);
    }
    // Each stored key, with the places in `hits` of its hits, in the order they came.
    const hitsByKey = new Map<string, number[]>();
    hits.forEach((hit, index) => {
      const key = storedKey(hit.key);
      hitsByKey.set(key, [...(hitsByKey.get(key) ?? []), index]);
    });
    const keys = [...hitsByKey.keys()].sort();
    const counts = keys.map((key) => hitsByKey.get(key)!.length);
    const resets = keys.map((key) => new Date(now.getTime() + hits[hitsByKey.get(key)![0]!]!.windowMs).toISOString());
    const rows = await db.$queryRaw<{ key: string; hits: number; resetAt: Date }[]>`
      INSERT INTO "RateLimitCounter" ("key", "hits", "resetAt")
      SELECT "key", "hits", "resetAt"
      FROM unnest(${keys}::text[], ${counts}::integer[], ${resets}::timestamp(3)[]) AS hit("key", "hits", "resetAt")
      ON CONFLICT ("key") DO UPDATE SET
        "hits" = CASE WHEN "RateLimitCounter"."resetAt" <= ${now} THEN EXCLUDED."hits" ELSE "RateLimitCounter"."hits" + EXCLUDED."hits" END,
        "resetAt" = CASE WHEN "RateLimitCounter"."resetAt" <= ${now} THEN EXCLUDED."resetAt" ELSE "RateLimitCounter"."resetAt" END
      RETURNING "key", "hits", "resetAt"`;
    const counted: CounterState[] = [];
    for (const row of rows) {
      const places = hitsByKey.get(row.key)!;
      // The count includes all of this batch's hits on the key; each takes its own place in it.
      const before = Number(row.hits) - places.length;
      places.forEach((hitIndex, place) => {
        counted[hitIndex] = { hits: before + place + 1, resetAt: new Date(row.resetAt) };
      });
    }
    return counted;
  }
  // A key the database refuses fails alone, not the hits counted with it.
  const countTogether = sentTogetherEachTurn(count, isStatementRefusal);

  return {
    /** Counts a hit for `key` in a window of `windowMs`; the count and when the window ends. */
    hit: (key: string, windowMs: number): Promise<CounterState> => countTogether({ key, windowMs }),

    /** The count for `key` in its current window, if one is running. */
    async read(key: string): Promise<CounterState | undefined> {
      const row = await db.rateLimitCounter.findUnique({ where: { key: storedKey(key) } });
      return row && row.resetAt > clock.now() ? { hits: row.hits, resetAt: row.resetAt } : undefined;
    },

    /** Takes a hit back (express-rate-limit's skipSuccessfulRequests). */
    async takeBack(key: string): Promise<void> {
      await db.rateLimitCounter.updateMany({
        where: { key: storedKey(key), hits: { gt: 0 } },
        data: { hits: { decrement: 1 } },
      });
    },

    async reset(key: string): Promise<void> {
      await db.rateLimitCounter.deleteMany({ where: { key: storedKey(key) } });
    },
  };
}
