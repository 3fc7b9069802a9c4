import express, {
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { UnsupportedMediaTypeError, type AppError } from '../errors';
import { setRetryAfter, toAppError } from '../http/error-handler';
import { httpMessages } from '../http/http-messages';
import { numericParam } from '../http/route-params';
import { csrfTokenFor } from './admin-session';

// Pieces every admin page shares.

/** Admin forms are urlencoded; a post body may be long Markdown, so the limit is larger than the public one. */
export const adminFormBody: RequestHandler[] = [
  (req, _res, next) =>
    next(
      req.is('application/x-www-form-urlencoded') ? undefined : new UnsupportedMediaTypeError(httpMessages.formOnly),
    ),
  express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 1000 }),
];

/** Signed-in pages: anyone without a session goes to the sign-in page (nothing else is revealed). */
export const requireModerator: RequestHandler = (req, res, next) => {
  if (req.session.user) return next();
  const returnTo = req.method === 'GET' ? req.originalUrl : '/admin';
  res.redirect(303, `/admin/login?next=${encodeURIComponent(returnTo)}`);
};

/** What every signed-in page's layout needs: who, the CSRF token for its forms, and a one-off confirmation. */
export const adminPageLocals: RequestHandler = (req, res, next) => {
  res.locals.moderator = req.session.user;
  res.locals.csrfToken = csrfTokenFor(req);
  res.locals.flash = req.session.flash ?? null;
  delete req.session.flash;
  next();
};

/**
 * Redirects once the session is stored. express-session saves a changed session as the response
 * ends, but sends the headers first: a browser following the redirect at once could arrive before
 * the session (a sign-in, a confirmation) was there.
 */
export function redirectAfterSaving(req: Request, res: Response, next: NextFunction, to: string): void {
  req.session.save((error) => (error ? next(error) : res.redirect(303, to)));
}

/** Leaves a one-line confirmation for the next page, then goes there (post/redirect/get). */
export function redirectWithFlash(req: Request, res: Response, next: NextFunction, to: string, message: string): void {
  req.session.flash = message;
  redirectAfterSaving(req, res, next, to);
}

/** The form values as typed (strings only), to show a refused form again. */
export function typedValues(body: unknown): Record<string, string> {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => typeof value === 'string')) as Record<
    string,
    string
  >;
}

/**
 * An error middleware that shows a refused admin form again (with what was typed and why) for
 * the errors a person can fix or wait out: 400, 409, 422, 429, and 503 for a database another
 * process holds (nothing was saved; the moderator's words must not be lost). Anything else goes
 * to the generic handler. A refusal that names no field is shown above the form by the layout.
 */
export function showFormAgain(
  render: (req: Request, res: Response, error: AppError) => Promise<void> | void,
  statuses: readonly number[] = [400, 409, 422, 429, 503],
): ErrorRequestHandler {
  return async (error, req, res, next) => {
    const refusal = toAppError(error);
    if (!refusal || !statuses.includes(refusal.status)) return next(error);
    setRetryAfter(res, refusal);
    res.status(refusal.status);
    if (Object.keys(refusal.fields).length === 0) res.locals.formProblem = refusal.message;
    await render(req, res, refusal);
  };
}

/** The numeric `:id` of an admin route; 0 (which matches nothing) for anything else. */
export function numericId(req: Request<{ id: string }>): number {
  return numericParam(req.params.id);
}
