import type { Store } from 'express-rate-limit';
import type { RateLimitCounters } from './rate-limit-counters';

/**
 * express-rate-limit's store over counters in the database, for limits shared by every server
 * process (PostgreSQL). `name` keeps each limiter's counters apart.
 */
export function sharedRateLimitStore(counters: RateLimitCounters, name: string, windowMs: number): Store {
  const keyOf = (key: string) => `${name}:${key}`;
  return {
    localKeys: false,
    prefix: `${name}:`,
    async increment(key) {
      const { hits, resetAt } = await counters.hit(keyOf(key), windowMs);
      return { totalHits: hits, resetTime: resetAt };
    },
    async get(key) {
      const state = await counters.read(keyOf(key));
      return state && { totalHits: state.hits, resetTime: state.resetAt };
    },
    decrement: (key) => counters.takeBack(keyOf(key)),
    resetKey: (key) => counters.reset(keyOf(key)),
  };
}
