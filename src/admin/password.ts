import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// Moderator passwords are stored as scrypt hashes: "scrypt$N=32768,r=8,p=3$<salt>$<hash>" (base64).
// The cost travels with the hash, so hashes made with another cost (before 2026-12, N=131072,
// r=8, p=1) keep verifying.

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * One of the scrypt settings OWASP lists as equivalent minimums: 32 MiB and a few hundred ms per
 * check. Its first listed one (N=2^17, p=1) takes four times the memory for each check.
 */
export const defaultScryptCost: ScryptCost = { N: 2 ** 15, r: 8, p: 3 };
const keyLength = 32;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  // Node refuses more than 32 MiB by default; scrypt needs 128 * N * r bytes (and a little more).
  const options: ScryptOptions = { ...cost, maxmem: 2 * memoryOf(cost) };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** A new hash of `password`, with a random salt. */
export async function hashPassword(password: string, cost: ScryptCost = defaultScryptCost): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$N=${cost.N},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** The memory one check of a hash with this cost takes, in bytes. */
function memoryOf(cost: ScryptCost): number {
  return 128 * cost.N * cost.r;
}

/** The memory a check takes at the default cost, in bytes. */
export const defaultCheckMemory = memoryOf(defaultScryptCost);

/** The memory checking a password against `encoded` takes, in bytes (0 for something that is not a hash). */
export function checkMemoryOf(encoded: string): number {
  const parsed = parseHash(encoded);
  return parsed ? memoryOf(parsed.cost) : 0;
}

function parseHash(encoded: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | null {
  const match = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(encoded);
  if (!match) return null;
  const [, N, r, p, salt, key] = match;
  return {
    cost: { N: Number(N), r: Number(r), p: Number(p) },
    salt: Buffer.from(salt!, 'base64'),
    key: Buffer.from(key!, 'base64'),
  };
}

/** Whether `password` matches `encoded`, compared in constant time. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.cost);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}
