import { ServiceUnavailableError } from '../errors';
import { adminMessages } from './admin-messages';

// A password check (scrypt) takes tens of MB and a libuv thread for a few hundred ms. Run freely,
// fifty wrong guesses at once took the process past 600 MB and held every thread the static files
// also need. So checks take turns: at most `slots` at once, one needing more than `heavyBytes`
// (a hash made with a costlier setting) alone, and at most `maxWaiting` in line; past that the
// sign-in is refused at once (503 with Retry-After), costing nothing.

export interface PasswordCheckLineOptions {
  slots?: number;
  maxWaiting?: number;
  heavyBytes?: number;
  retryAfterSeconds?: number;
}

export type PasswordCheckLine = ReturnType<typeof createPasswordCheckLine>;

/** The line password checks wait in. */
export function createPasswordCheckLine({
  slots = 2,
  maxWaiting = 10,
  heavyBytes = 32 * 1024 * 1024,
  retryAfterSeconds = 5,
}: PasswordCheckLineOptions = {}) {
  let inUse = 0;
  const waiting: { weight: number; start: () => void }[] = [];

  function startNext(): void {
    while (waiting.length > 0 && inUse + waiting[0]!.weight <= slots) {
      const next = waiting.shift()!;
      inUse += next.weight;
      next.start();
    }
  }

  return {
    /** Runs `check` (which needs `memoryBytes`) when its turn comes; a ServiceUnavailableError if the line is full. */
    async run<T>(memoryBytes: number, check: () => Promise<T>): Promise<T> {
      const weight = memoryBytes > heavyBytes ? slots : 1;
      if (waiting.length >= maxWaiting) {
        throw new ServiceUnavailableError(adminMessages.signInBusy, 'sign_in_busy', retryAfterSeconds);
      }
      await new Promise<void>((start) => {
        waiting.push({ weight, start });
        startNext();
      });
      try {
        return await check();
      } finally {
        inUse -= weight;
        startNext();
      }
    },
  };
}
