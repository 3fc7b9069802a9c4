import { Router, type Request, type RequestHandler, type Response } from 'express';
import { UnauthorizedError } from '../errors';
import type { AdminAuth } from './admin-auth';
import { adminFormBody, redirectAfterSaving, showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { safeAdminReturn, signInSchema, type SignIn } from './admin-schemas';
import {
  csrfTokenFor,
  markAuthorBrowser,
  rememberSignedIn,
  renewCsrfToken,
  sessionCookieName,
  verifyAdminForm,
} from './admin-session';

// The author's mark on the public pages lasts a day; the link it shows still asks for the session.
const authorMarkMs = 24 * 3600 * 1000;
import { validateBody, validBody } from '../http/validate';

export interface SignInDeps {
  auth: AdminAuth;
  signInLimiters: RequestHandler[];
}

/** /admin/login and /admin/logout. */
export function createSignInRouter({ auth, signInLimiters }: SignInDeps): Router {
  const renderSignIn = (
    req: Request,
    res: Response,
    options: { username?: string; error?: string; notice?: string } = {},
  ): void => {
    res.set('Cache-Control', 'no-store');
    res.render('admin/login', {
      title: 'Sign in',
      csrfToken: csrfTokenFor(req),
      next: safeAdminReturn(
        typeof req.query.next === 'string' ? req.query.next : (req.body as { next?: string } | undefined)?.next,
        '/admin',
      ),
      username: options.username ?? '',
      error: options.error ?? null,
      notice: options.notice ?? null,
    });
  };

  // GET /admin/login — the sign-in form
  const showSignIn: RequestHandler = (req, res) => {
    if (req.session.user) return res.redirect(303, '/admin');
    renderSignIn(req, res, { notice: req.query['signed-out'] === '1' ? adminMessages.signedOut : undefined });
  };

  // POST /admin/login — check the credentials; a new session (and CSRF token) on success
  const signIn: RequestHandler = async (req, res, next) => {
    const { username, password } = validBody<SignIn>(res);
    if (!(await auth.verifyCredentials(username, password)))
      return next(new UnauthorizedError(adminMessages.signInFailed));
    const returnTo = safeAdminReturn((req.body as { next?: string }).next, '/admin');
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.user = username;
      renewCsrfToken(req);
      rememberSignedIn(req, res, username);
      markAuthorBrowser(req, res, authorMarkMs, true);
      redirectAfterSaving(req, res, next, returnTo);
    });
  };

  // A refused sign-in (wrong credentials 401, empty fields 422, too many attempts 429, too many
  // being checked at once 503) shows the form again with the user name kept; the password never is.
  const showSignInAgain = showFormAgain(
    (req, res, error) => renderSignIn(req, res, { username: typedValues(req.body).username, error: error.message }),
    [400, 401, 422, 429, 503],
  );

  // POST /admin/logout — end the session for good (its row is deleted)
  const signOut: RequestHandler = (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie(sessionCookieName, { path: '/admin' });
      markAuthorBrowser(req, res, 0, false);
      res.redirect(303, '/admin/login?signed-out=1');
    });
  };

  const router = Router();
  router.get('/login', showSignIn);
  router.post(
    '/login',
    adminFormBody,
    ...signInLimiters,
    verifyAdminForm,
    validateBody(signInSchema, adminMessages.signInRequired),
    signIn,
    showSignInAgain,
  );
  router.post('/logout', adminFormBody, verifyAdminForm, signOut);
  return router;
}
