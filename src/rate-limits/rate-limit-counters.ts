import type { Database } from '../db/database';
import type { Clock } from '../shared/clock';

export interface CounterState {
  hits: number;
  resetAt: Date;
}

export type RateLimitCounters = ReturnType<typeof createRateLimitCounters>;

/**
 * Rate-limit counters in the database, so every server process on it counts against the same
 * allowance. One statement per hit: an upsert that starts a new window when the old one is over,
 * atomic on both engines however many processes count at once. The window's end comes from the
 * app's clock, so tests move it as they move everything else.
 */
export function createRateLimitCounters(db: Database, clock: Clock) {
  let lastSweep = 0;
  return {
    /** Counts a hit for `key` in a window of `windowMs`; the count and when the window ends. */
    async hit(key: string, windowMs: number): Promise<CounterState> {
      const now = clock.now();
      const resetAt = new Date(now.getTime() + windowMs);
      // Counters whose window ended long ago are deleted now and then, by whichever process counts.
      if (now.getTime() - lastSweep > 60_000) {
        lastSweep = now.getTime();
        void db.rateLimitCounter.deleteMany({ where: { resetAt: { lt: now } } }).catch(() => undefined);
      }
      const [row] = await db.$queryRaw<{ hits: number; resetAt: Date }[]>`
        INSERT INTO "RateLimitCounter" ("key", "hits", "resetAt") VALUES (${key}, 1, ${resetAt})
        ON CONFLICT ("key") DO UPDATE SET
          "hits" = CASE WHEN "RateLimitCounter"."resetAt" <= ${now} THEN 1 ELSE "RateLimitCounter"."hits" + 1 END,
          "resetAt" = CASE WHEN "RateLimitCounter"."resetAt" <= ${now} THEN ${resetAt} ELSE "RateLimitCounter"."resetAt" END
        RETURNING "hits", "resetAt"`;
      return { hits: Number(row!.hits), resetAt: new Date(row!.resetAt) };
    },

    /** The count for `key` in its current window, if one is running. */
    async read(key: string): Promise<CounterState | undefined> {
      const row = await db.rateLimitCounter.findUnique({ where: { key } });
      return row && row.resetAt > clock.now() ? { hits: row.hits, resetAt: row.resetAt } : undefined;
    },

    /** Takes a hit back (express-rate-limit's skipSuccessfulRequests). */
    async takeBack(key: string): Promise<void> {
      await db.rateLimitCounter.updateMany({ where: { key, hits: { gt: 0 } }, data: { hits: { decrement: 1 } } });
    },

    async reset(key: string): Promise<void> {
      await db.rateLimitCounter.deleteMany({ where: { key } });
    },
  };
}
