import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Seals and opens cookie values with AES-256-GCM: unreadable and tamper-proof outside the server. */
export interface CookieSealer {
  seal(plain: string): string;
  /** The original value, or null for anything not sealed by this secret. */
  open(sealed: string): string | null;
}

const ivBytes = 12;
const tagBytes = 16;

/** A sealer whose key is derived from `secret` for one `purpose`, so keys never repeat across uses. */
export function createCookieSealer(secret: string, purpose: string): CookieSealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'marginalia', purpose, 32));
  return {
    seal(plain) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
    },
    open(value) {
      const bytes = Buffer.from(value, 'base64url');
      if (bytes.length < ivBytes + tagBytes) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, ivBytes));
        decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
        return Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
