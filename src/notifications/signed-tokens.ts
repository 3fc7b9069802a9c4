import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import { safeEqual } from '../shared/constant-time';

/**
 * Tokens for links in mail: a JSON payload and its HMAC-SHA256 under this blog's key, each kind
 * signed for its own purpose, so a token made for one page is refused by every other.
 */
export function createSignedTokens(secret: string) {
  const sign = (purpose: string, payload: string) =>
    createHmac('sha256', secret).update(`${purpose}\n${payload}`).digest('base64url');
  return {
    /** A keyed hash of `text` for `purpose`: stands for a value (an address) without revealing it. */
    keyOf: (purpose: string, text: string): string =>
      createHmac('sha256', secret).update(`${purpose}\n${text}`).digest('hex'),

    sign(purpose: string, payload: object): string {
      const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${encoded}.${sign(purpose, encoded)}`;
    },

    /** The payload, if this blog signed the token for `purpose` and it has the schema's shape; null otherwise. */
    read<T>(purpose: string, token: string, schema: z.ZodType<T>): T | null {
      const [encoded, signature, ...rest] = token.split('.');
      if (!encoded || !signature || rest.length > 0 || !safeEqual(signature, sign(purpose, encoded))) return null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
      } catch {
        return null;
      }
      const result = schema.safeParse(parsed);
      return result.success ? result.data : null;
    },
  };
}

export type SignedTokens = ReturnType<typeof createSignedTokens>;
