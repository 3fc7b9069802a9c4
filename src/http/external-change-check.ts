import type { Logger } from 'pino';
import type { ExternalWrites } from '../db/external-writes';
import type { Clock } from '../shared/clock';

/**
 * Looks, at most once a second by the app's clock and on the way into a request, whether another
 * process wrote to the database (a command-line import, say); if so, `onChange` drops everything
 * kept in memory. A request arriving while no look is due waits for nothing.
 */
export function createExternalChangeCheck({
  clock,
  externalWrites,
  onChange,
  logger,
  everyMs = 1000,
}: {
  clock: Clock;
  externalWrites: ExternalWrites;
  onChange: () => void;
  logger: Logger;
  everyMs?: number;
}) {
  let lastLook = Number.NEGATIVE_INFINITY;
  let looking: Promise<void> | null = null;
  return {
    /** A look to wait for before answering, when one is due or under way; null otherwise. */
    due(): Promise<void> | null {
      if (looking) return looking;
      const now = clock.now().getTime();
      if (now - lastLook < everyMs) return null;
      lastLook = now;
      looking = externalWrites
        .changedSinceLastLook()
        .then(
          (changed) => void (changed && onChange()),
          // The next look, a second later, tries again; the request goes on meanwhile.
          (error: unknown) => logger.warn({ err: error }, 'could not look for writes by other processes'),
        )
        .finally(() => (looking = null));
      return looking;
    },
  };
}
