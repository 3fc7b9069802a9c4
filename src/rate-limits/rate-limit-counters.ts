import { createHash } from 'node:crypto';
import type { Database } from '../db/database';
import { isStatementRefusal } from '../db/database-errors';
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

interface WaitingHit {
  windowMs: number;
  answer(state: CounterState): void;
  refuse(error: unknown): void;
}

/**
 * Rate-limit counters in PostgreSQL, so every server process on it counts against the same
 * allowance. The hits counted in one turn of the event loop are sent together, as one upsert
 * that starts a new window where the old one is over: atomic however many processes count at
 * once, and one round trip for every request that arrived together. Each hit is answered with its
 * own place in the count. The window's end comes from the app's clock, so tests move it as they
 * move everything else.
 */
export function createRateLimitCounters(db: Database, clock: Clock) {
  let lastSweep = 0;
  let waiting = new Map<string, WaitingHit[]>();

  /** Counts each key's waiting hits in one upsert (keys in order: rows locked in one order by every process). */
  async function count(batch: Map<string, WaitingHit[]>, now: Date): Promise<void> {
    const keys = [...batch.keys()].sort();
    const counts = keys.map((key) => batch.get(key)!.length);
    const resets = keys.map((key) => new Date(now.getTime() + batch.get(key)![0]!.windowMs).toISOString());
    const rows = await db.$queryRaw<{ key: string; hits: number; resetAt: Date }[]>`
      INSERT INTO "RateLimitCounter" ("key", "hits", "resetAt")
      SELECT "key", "hits", "resetAt"
      FROM unnest(${keys.map(storedKey)}::text[], ${counts}::integer[], ${resets}::timestamp(3)[]) AS hit("key", "hits", "resetAt")
      ON CONFLICT ("key") DO UPDATE SET
        "hits" = CASE WHEN "RateLimitCounter"."resetAt" <= ${now} THEN EXCLUDED."hits" ELSE "RateLimitCounter"."hits" + EXCLUDED."hits" END,
        "resetAt" = CASE WHEN "RateLimitCounter"."resetAt" <= ${now} THEN EXCLUDED."resetAt" ELSE "RateLimitCounter"."resetAt" END
      RETURNING "key", "hits", "resetAt"`;
    const byStoredKey = new Map(keys.map((key) => [storedKey(key), batch.get(key)!]));
    for (const row of rows) {
      const hits = byStoredKey.get(row.key)!;
      // The count includes all of this batch's hits on the key; each takes its own place in it.
      const before = Number(row.hits) - hits.length;
      hits.forEach((hit, index) => hit.answer({ hits: before + index + 1, resetAt: new Date(row.resetAt) }));
    }
  }

  async function countWaiting(): Promise<void> {
    const batch = waiting;
    waiting = new Map();
    const now = clock.now();
    // Counters whose window ended long ago are deleted now and then, by whichever process counts.
    if (now.getTime() - lastSweep > 60_000) {
      lastSweep = now.getTime();
      void db.rateLimitCounter.deleteMany({ where: { resetAt: { lt: now } } }).catch(() => undefined);
    }
    const refuse = (hits: Iterable<WaitingHit[]>, error: unknown) => {
      for (const waitingHits of hits) for (const hit of waitingHits) hit.refuse(error);
    };
    try {
      await count(batch, now);
    } catch (error) {
      // A key the database refused fails alone, not the hits counted with it.
      if (batch.size === 1 || !isStatementRefusal(error)) return refuse(batch.values(), error);
      for (const [key, hits] of batch)
        await count(new Map([[key, hits]]), now).catch((alone: unknown) => refuse([hits], alone));
    }
  }

  return {
    /** Counts a hit for `key` in a window of `windowMs`; the count and when the window ends. */
    hit(key: string, windowMs: number): Promise<CounterState> {
      return new Promise((answer, refuse) => {
        if (waiting.size === 0) setImmediate(() => void countWaiting());
        const hits = waiting.get(key) ?? [];
        hits.push({ windowMs, answer, refuse });
        waiting.set(key, hits);
      });
    },

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
