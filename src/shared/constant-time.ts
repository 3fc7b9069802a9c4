import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings of any lengths (compares fixed-length digests). */
export function safeEqual(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
