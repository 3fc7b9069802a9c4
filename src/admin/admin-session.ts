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

const { generateToken, isRequestValid } = csrfSync({
  getTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
});

/** The CSRF token for the forms of this session (created on first use). */
export function csrfTokenFor(req: Request): string {
  return generateToken(req);
}

/** A fresh token, after signing in, so a token seen before sign-in is worthless after it. */
export function renewCsrfToken(req: Request): string {
  return generateToken(req, true);
}

/**
 * Guards every state-changing admin request: the browser must not call it cross-site (Origin and
 * Sec-Fetch-Site), and the form must carry this session's CSRF token. Otherwise 403, nothing changes.
 */
export const verifyAdminForm: RequestHandler = (req, _res, next) => {
  const origin = req.get('origin');
  const sameOrigin = origin === undefined || (URL.canParse(origin) && new URL(origin).host === req.get('host'));
  const crossSite = req.get('sec-fetch-site') === 'cross-site';
  next(
    sameOrigin && !crossSite && isRequestValid(req)
      ? undefined
      : new ForbiddenError(adminMessages.csrfFailed, 'csrf_failed'),
  );
};
