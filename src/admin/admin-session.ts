import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { Database } from '../db/database';
import type { Clock } from '../shared/clock';
import { ForbiddenError } from '../errors';
import { fromThisSite, onlyFromThisSite } from '../http/same-origin';
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
/** The CSRF token for the forms of this session (created on first use). */
export function csrfTokenFor(req: Request): string {
  return fromFormBody.generateToken(req);
}

/** A fresh token, after signing in, so a token seen before sign-in is worthless after it. */
export function renewCsrfToken(req: Request): string {
  return fromFormBody.generateToken(req, true);
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

/**
 * Before a file upload's body is read: it must come from one of our pages, by the Origin every
 * browser sends with a form's POST. Its CSRF token, in the body, is checked once the body is read
 * (verifyAdminForm); a token in the address would end up in history and proxy logs.
 */
export const verifyUploadOrigin: RequestHandler = onlyFromThisSite(adminMessages.csrfFailed, { originRequired: true });

// A browser that has signed in before is remembered (a signed cookie that grants nothing else),
// so the site-wide budget of failed sign-ins, which anyone can use up, never locks it out.
const signedInBeforeCookie = 'marginalia_signed_in_before';
const signedInBeforeMaxAgeMs = 365 * 24 * 60 * 60 * 1000;

/**
 * A cookie the public pages' script reads to show the signed-in author a "Reply as the author"
 * link under each comment. It grants nothing: the link leads to the admin area, which asks for
 * the session as always. Cleared on sign-out.
 */
export const authorCookieName = 'marginalia_author';

export function markAuthorBrowser(req: Request, res: Response, maxAgeMs: number, signedIn: boolean): void {
  if (!signedIn) return void res.clearCookie(authorCookieName, { path: '/' });
  res.cookie(authorCookieName, '1', { path: '/', sameSite: 'lax', secure: req.secure, maxAge: maxAgeMs });
}

/** Marks this browser as one the moderator has signed in from. */
export function rememberSignedIn(req: Request, res: Response, username: string): void {
  res.cookie(signedInBeforeCookie, username, {
    signed: true,
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: '/admin/login',
    maxAge: signedInBeforeMaxAgeMs,
  });
}

/** Whether this browser has signed in before (its cookie signed by this blog). */
export function hasSignedInBefore(req: Request): boolean {
  const value = (req.signedCookies as Record<string, unknown> | undefined)?.[signedInBeforeCookie];
  return typeof value === 'string' && value.length > 0;
}

/** The one sign-in answer that counts against the budgets: a password checked and found wrong. */
export const wrongPassword = (statusCode: number): boolean => statusCode === 401;
