import type { ExternalWrites } from '../db/external-writes';
import type { Clock } from '../shared/clock';

/**
 * Looks, at most once a second by the app's clock and on the way into a request, whether another
 * process wrote to the database (a command-line import, say); if so, `onChange` drops everything
 * kept in memory before the request is answered. The look is a read of a counter: nothing waits.
 */
export function createExternalChangeCheck({
  clock,
  externalWrites,
  onChange,
  everyMs = 1000,
}: {
  clock: Clock;
  externalWrites: ExternalWrites;
  onChange: () => void;
  everyMs?: number;
}) {
  let lastLook = Number.NEGATIVE_INFINITY;
  return {
    lookIfDue(): void {
      const now = clock.now().getTime();
      if (now - lastLook < everyMs) return;
      lastLook = now;
      if (externalWrites.changedSinceLastLook()) onChange();
    },
  };
}
