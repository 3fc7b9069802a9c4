import { createHmac } from 'node:crypto';
import { safeEqual } from '../shared/constant-time';

/**
 * The time a comment form was served, signed so a bot cannot forge an old one: "<ms>.<hmac>".
 * The comment rules use its age: too young means a bot filled the form; too old means the reader
 * should look at their comment again.
 */
export function createFormTimestamps(secret: string) {
  const sign = (ms: string): string => createHmac('sha256', `${secret}\0form-timestamp`).update(ms).digest('base64url');
  return {
    issue(now: Date): string {
      const ms = String(now.getTime());
      return `${ms}.${sign(ms)}`;
    },

    /** How long ago the form was served, or null when the stamp is missing, forged or from the future. */
    ageOf(stamp: string | undefined, now: Date): number | null {
      const match = stamp ? /^(\d{1,15})\.([\w-]{43})$/.exec(stamp) : null;
      if (!match || !safeEqual(sign(match[1]!), match[2]!)) return null;
      const age = now.getTime() - Number(match[1]);
      return age >= 0 ? age : null;
    },
  };
}

export type FormTimestamps = ReturnType<typeof createFormTimestamps>;
