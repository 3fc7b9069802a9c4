/**
 * Where the app reads the time. One is made in server.ts and passed through the composition root
 * to everything that asks "what time is it", so tests move time instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

/** The machine's own clock. */
export const systemClock: Clock = { now: () => new Date() };
