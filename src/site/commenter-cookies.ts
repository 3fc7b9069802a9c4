import { isRowId } from '../shared/row-id';
import type { CookieOptions, Request, Response } from 'express';
import { createCookieSealer } from '../http/sealed-cookie';

// Two HttpOnly cookies:
// - the ids of the comments this browser posted, signed, so it alone sees them while they await
//   moderation (an id is guessable; the signature is what proves ownership);
// - the commenter's name, email and website, only when they ticked "Save my name, email, and
//   website", encrypted: the address never travels or sits in the browser as readable text.

// The frame's cookies have names of their own: where the comment server and the blog are one
// site, the browser sends both kinds to the frame, and either could be read for the other.
const cookieNames = {
  site: { ownComments: 'marginalia_own_comments', savedDetails: 'marginalia_commenter' },
  embed: { ownComments: 'marginalia_embed_own_comments', savedDetails: 'marginalia_embed_commenter' },
} as const;
const maxOwnComments = 20;
const ownCommentsMaxAgeMs = 30 * 24 * 3600 * 1000;
const savedDetailsMaxAgeMs = 365 * 24 * 3600 * 1000;

export interface SavedDetails {
  author: string;
  email: string;
  url: string;
}

/**
 * Our own pages: SameSite=Lax. In embed.js's frame on another site, a cookie is a third-party
 * one: partitioned (CHIPS), it lives in a jar of that site alone, which browsers that block
 * third-party cookies still keep; SameSite=None and Secure it must be (http://localhost counts).
 */
function cookieOptions(req: Request, maxAge: number, partitioned: boolean): CookieOptions {
  return partitioned
    ? { httpOnly: true, sameSite: 'none', secure: true, partitioned: true, path: '/', maxAge }
    : { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge };
}

export type CommenterCookies = ReturnType<typeof createCommenterCookies>;

/**
 * Reads and writes the commenter cookies; `secret` is the app's cookie secret; `partitioned` for
 * the ones written in embed.js's frame.
 */
export function createCommenterCookies(secret: string, { partitioned = false } = {}) {
  const sealer = createCookieSealer(secret, 'commenter details');
  const { ownComments: ownCommentsCookie, savedDetails: savedDetailsCookie } =
    cookieNames[partitioned ? 'embed' : 'site'];

  function readOwnCommentIds(req: Request): number[] {
    const value: unknown = req.signedCookies?.[ownCommentsCookie];
    if (typeof value !== 'string') return [];
    return value.split('.').map(Number).filter(isRowId);
  }

  return {
    /** The ids of comments this browser posted (newest last). */
    readOwnCommentIds,

    /** Adds a comment to this browser's own ones, keeping the most recent few. */
    rememberOwnComment(req: Request, res: Response, commentId: number): void {
      const ids = [...readOwnCommentIds(req).filter((id) => id !== commentId), commentId].slice(-maxOwnComments);
      res.cookie(ownCommentsCookie, ids.join('.'), {
        ...cookieOptions(req, ownCommentsMaxAgeMs, partitioned),
        signed: true,
      });
    },

    /** The details saved by the "save my details" box, or null. */
    readSavedDetails(req: Request): SavedDetails | null {
      const value: unknown = req.cookies?.[savedDetailsCookie];
      const opened = typeof value === 'string' ? sealer.open(value) : null;
      if (opened === null) return null;
      try {
        const parsed = JSON.parse(opened) as Partial<SavedDetails>;
        return {
          author: String(parsed.author ?? ''),
          email: String(parsed.email ?? ''),
          url: String(parsed.url ?? ''),
        };
      } catch {
        return null;
      }
    },

    /** Keeps the details for next time when the box was ticked; forgets any saved ones when it was not. */
    updateSavedDetails(req: Request, res: Response, details: SavedDetails, keep: boolean): void {
      if (keep)
        res.cookie(
          savedDetailsCookie,
          sealer.seal(JSON.stringify(details)),
          cookieOptions(req, savedDetailsMaxAgeMs, partitioned),
        );
      else if (req.cookies?.[savedDetailsCookie] !== undefined) {
        const { maxAge: _gone, ...options } = cookieOptions(req, 0, partitioned);
        res.clearCookie(savedDetailsCookie, options);
      }
    },
  };
}
