import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import type { Database } from '../db/database';
import type { Clock } from '../shared/clock';
import { ForbiddenError } from '../errors';
import { adminMessages } from './admin-messages';
import { PrismaSessionStore } from './session-store';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in moderator's user name. */
    user?: string;
    /** A one-line confirmation shown once on the next admin page. */
    flash?: string;
  }
}

export const sessionCookieName = 'marginalia_admin';

export interface AdminSessionOptions {
  db: Database;
  clock: Clock;
  secret: string;
  idleMinutes: number;
}

/**
 * Moderator sessions: a signed, HttpOnly, SameSite=Strict cookie limited to /admin (Secure over
 * https), whose expiry moves forward with each request, so a session ends after `idleMinutes`
 * without one.
 */
export function createAdminSession({ db, clock, secret, idleMinutes }: AdminSessionOptions): RequestHandler {
  const idleMs = idleMinutes * 60 * 1000;
  return session({
    name: sessionCookieName,
    secret,
    store: new PrismaSessionStore(db, idleMs, clock),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { path: '/admin', httpOnly: true, sameSite: 'strict', secure: 'auto', maxAge: idleMs },
  });
}

const fromFormBody = csrfSync({
  getTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
});
// An upload's body is read only after this check, so its form carries the token in its address.
const fromAddress = csrfSync({
  getTokenFromRequest: (req) => (typeof req.query._csrf === 'string' ? req.query._csrf : undefined),
});

/** The CSRF token for the forms of this session (created on first use). */
export function csrfTokenFor(req: Request): string {
  return fromFormBody.generateToken(req);
}

/** A fresh token, after signing in, so a token seen before sign-in is worthless after it. */
export function renewCsrfToken(req: Request): string {
  return fromFormBody.generateToken(req, true);
}

/** Whether the browser sent this from one of our own pages (Origin and Sec-Fetch-Site). */
function fromThisSite(req: Request): boolean {
  const origin = req.get('origin');
  const sameOrigin = origin === undefined || (URL.canParse(origin) && new URL(origin).host === req.get('host'));
  return sameOrigin && req.get('sec-fetch-site') !== 'cross-site';
}

function csrfGuard(isRequestValid: (req: Request) => boolean): RequestHandler {
  return (req, _res, next) =>
    next(
      fromThisSite(req) && isRequestValid(req)
        ? undefined
        : new ForbiddenError(adminMessages.csrfFailed, 'csrf_failed'),
    );
}

/**
 * Guards every state-changing admin request: the browser must not call it cross-site (Origin and
 * Sec-Fetch-Site), and the form must carry this session's CSRF token. Otherwise 403, nothing changes.
 */
export const verifyAdminForm: RequestHandler = csrfGuard(fromFormBody.isRequestValid);

/** The same for a file upload, whose token is in its address (`?_csrf=`): checked before the body is read. */
export const verifyAdminUpload: RequestHandler = csrfGuard(fromAddress.isRequestValid);
