import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { commentStatuses, type CommentStatus } from '../shared/comment-status';
import type { SignedTokens } from './signed-tokens';

/** What a moderator mail's link may do to its comment. */
export const mailActions = ['approve', 'spam', 'trash'] as const;
export type MailAction = (typeof mailActions)[number];

/** A moderator mail's links work for a week. */
export const mailLinkLifetimeMs = 7 * 24 * 3_600_000;

export interface MailLink {
  commentId: number;
  action: MailAction;
  expiresAt: Date;
  /** Shared by the links of one mail: once one is used, all are. */
  mailId: string;
  /** The comment's status when the mail was written: once it has another, the links are spent. */
  mailedStatus: CommentStatus;
}

const payloadSchema = z.object({
  c: z.number().int().positive(),
  a: z.enum(mailActions),
  e: z.number().int(),
  m: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  s: z.enum(commentStatuses),
});

/**
 * Signed action links for moderator mail: the comment, the action, the expiry and the mail's own
 * id. They need no sign-in, so they are worth something only to whoever holds the mail; opening
 * one changes nothing (mail scanners open links), its page's button does.
 */
export function createMailLinks(tokens: SignedTokens) {
  return {
    newMailId: () => randomBytes(16).toString('base64url'),

    token: (link: MailLink): string =>
      tokens.sign('moderate', {
        c: link.commentId,
        a: link.action,
        e: link.expiresAt.getTime(),
        m: link.mailId,
        s: link.mailedStatus,
      }),

    /** The link a token stands for, if this blog signed it; null for anything else. Expiry is the caller's to judge. */
    read(token: string): MailLink | null {
      const payload = tokens.read('moderate', token, payloadSchema);
      return (
        payload && {
          commentId: payload.c,
          action: payload.a,
          expiresAt: new Date(payload.e),
          mailId: payload.m,
          mailedStatus: payload.s,
        }
      );
    },
  };
}

export type MailLinks = ReturnType<typeof createMailLinks>;
