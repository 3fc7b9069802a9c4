import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../errors';
import type { Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';

export const blockKinds = ['email', 'ip'] as const;
export type BlockKind = (typeof blockKinds)[number];

export interface SenderBlock {
  id: number;
  kind: BlockKind;
  /** A lower-cased address, or an IP range in CIDR form (a single address is a /32 or /128). */
  value: string;
  note: string | null;
  createdAt: Date;
}

export const blockMessages = {
  oneOf: 'Give either an email address or an IP address or range, not both.',
  neither: 'Enter an email address, or an IP address or range.',
  emailInvalid: 'Enter an email address, such as name@example.com.',
  ipInvalid: 'Enter an IP address (203.0.113.7, 2001:db8::1) or a range in CIDR form (203.0.113.0/24, 2001:db8::/48).',
  ipTooWide: 'That range is too wide: block at most a /8 (IPv4) or a /16 (IPv6).',
  exists: 'That sender is already blocked.',
  notFound: 'No such block.',
} as const;

/** An IP address or a CIDR range, written the one way it is stored: "203.0.113.0/24", "2001:db8::/48". */
export function normalisedRange(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 100) return null;
  try {
    const [address, bits] = trimmed.includes('/')
      ? ipaddr.parseCIDR(trimmed)
      : (() => {
          const parsed = ipaddr.process(trimmed);
          return [parsed, parsed.kind() === 'ipv4' ? 32 : 128] as const;
        })();
    const unmapped = address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96;
    const base = unmapped ? (address as ipaddr.IPv6).toIPv4Address() : address;
    const length = unmapped ? bits - 96 : bits;
    // The network's first address, so 203.0.113.7/24 is stored as 203.0.113.0/24.
    const network =
      base.kind() === 'ipv4'
        ? ipaddr.IPv4.networkAddressFromCIDR(`${base.toString()}/${length}`)
        : ipaddr.IPv6.networkAddressFromCIDR(`${base.toString()}/${length}`);
    return `${network.toString()}/${length}`;
  } catch {
    return null;
  }
}

const tooWide = (range: string) => {
  const [address, bits] = range.split('/');
  return Number(bits) < (address!.includes(':') ? 16 : 8);
};

/** POST /admin/api/blocks and the admin area's form: `{ email }` or `{ ip }`, and an optional note. */
export const blockInputSchema = z
  .object({
    email: z.string().trim().max(254).optional(),
    ip: z.string().trim().max(100).optional(),
    note: z.string().trim().max(500).optional(),
  })
  .transform((input, context) => {
    const email = input.email || undefined;
    const ip = input.ip || undefined;
    if ((email === undefined) === (ip === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [email ? 'ip' : 'email'],
        message: email ? blockMessages.oneOf : blockMessages.neither,
      });
      return z.NEVER;
    }
    const note = input.note || null;
    if (email !== undefined) {
      if (!z.email().safeParse(email).success) {
        context.addIssue({ code: 'custom', path: ['email'], message: blockMessages.emailInvalid });
        return z.NEVER;
      }
      return { kind: 'email' as const, value: email.toLowerCase(), note };
    }
    const range = normalisedRange(ip!);
    if (!range || tooWide(range)) {
      context.addIssue({
        code: 'custom',
        path: ['ip'],
        message: range ? blockMessages.ipTooWide : blockMessages.ipInvalid,
      });
      return z.NEVER;
    }
    return { kind: 'ip' as const, value: range, note };
  });
export type BlockInput = z.output<typeof blockInputSchema>;

/** Whether `address` (as stored) is inside the CIDR range. */
function inRange(address: string, range: string): boolean {
  try {
    const parsed = ipaddr.process(address);
    const [network, bits] = ipaddr.parseCIDR(range);
    return parsed.kind() === network.kind() && parsed.match(network, bits);
  } catch {
    return false;
  }
}

export type SenderBlocks = ReturnType<typeof createSenderBlocks>;

/**
 * The moderator's blocks: a blocked sender's comments go to spam, answered like any held comment.
 * The list (a few rows) is kept in memory, so a comment costs no query for it: read again after
 * this process changes it, or another process writes to the database (`forgetKept`).
 */
export function createSenderBlocks(db: Database) {
  const asBlock = (row: { id: number; kind: string; value: string; note: string | null; createdAt: Date }) => ({
    ...row,
    kind: row.kind as BlockKind,
  });
  let kept: Promise<SenderBlock[]> | null = null;
  const list = async (): Promise<SenderBlock[]> => {
    const rows = await db.block.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    return rows.map(asBlock);
  };
  return {
    list,

    async add(input: BlockInput, now: Date): Promise<SenderBlock> {
      try {
        return asBlock(await db.block.create({ data: { ...input, createdAt: now } }));
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
          throw new ConflictError(blockMessages.exists, 'already_blocked');
        throw error;
      } finally {
        kept = null;
      }
    },

    async remove(id: number): Promise<SenderBlock> {
      const found = await db.block.findUnique({ where: { id } });
      if (!found) throw new NotFoundError(blockMessages.notFound, 'block_not_found');
      await db.block.deleteMany({ where: { id } });
      kept = null;
      return asBlock(found);
    },

    /** What blocks this sender, if anything: their address, or a range their IP is in. */
    async blocking(email: string, ip: string | null): Promise<SenderBlock | null> {
      kept ??= list().catch((error: unknown) => {
        kept = null;
        throw error;
      });
      const address = email.trim().toLowerCase();
      return (
        (await kept).find(
          (block) =>
            (block.kind === 'email' && block.value === address) ||
            (block.kind === 'ip' && ip !== null && inRange(ip, block.value)),
        ) ?? null
      );
    },

    /** Another process changed the database: read the list again when next asked. */
    forgetKept(): void {
      kept = null;
    },
  };
}
