import type { Clock } from '../../src/shared/clock';

/** A clock that runs with the machine's but can be moved forward, so tests never sleep for time to pass. */
export interface TestClock extends Clock {
  advance(ms: number): void;
}

export function createTestClock(): TestClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      offset += ms;
    },
  };
}
