import type { RequestHandler } from 'express';
import { ServiceUnavailableError, UnauthorizedError } from '../errors';
import { adminMessages } from './admin-messages';
import { safeEqual } from '../shared/constant-time';
import type { PasswordCheckLine } from './password-checks';
import { checkMemoryOf, verifyPassword } from './password';

export interface AdminAccount {
  user?: string;
  passwordHash?: string;
  apiToken?: string;
  /** Where password checks wait their turn (each takes tens of MB). */
  passwordChecks: PasswordCheckLine;
}

export type AdminAuth = ReturnType<typeof createAdminAuth>;

/** Checks the moderator's credentials and the API token, always in constant time. */
export function createAdminAuth({ user, passwordHash, apiToken, passwordChecks }: AdminAccount) {
  const signInConfigured = Boolean(user && passwordHash);
  return {
    signInConfigured,
    apiConfigured: Boolean(apiToken),

    /**
     * Whether these are the moderator's user name and password. The password is always hashed,
     * even for a wrong user name, so a wrong name and a wrong password take the same time.
     */
    async verifyCredentials(username: string, password: string): Promise<boolean> {
      if (!user || !passwordHash) return false;
      const passwordOk = await passwordChecks.run(checkMemoryOf(passwordHash), () =>
        verifyPassword(password, passwordHash),
      );
      return safeEqual(username, user) && passwordOk;
    },

    /** Refuses every admin page (503) while no moderator account is configured. */
    requireSignInConfigured: ((_req, _res, next) => {
      next(
        signInConfigured ? undefined : new ServiceUnavailableError(adminMessages.notConfigured, 'admin_not_configured'),
      );
    }) as RequestHandler,

    /** The admin API: closed without a token (503), 401 without the right `Authorization: Bearer`. */
    requireApiToken: ((req, _res, next) => {
      if (!apiToken) return next(new ServiceUnavailableError(adminMessages.apiNotConfigured, 'admin_not_configured'));
      const header = req.get('authorization') ?? '';
      const presented = /^Bearer (.+)$/i.exec(header)?.[1] ?? '';
      next(
        presented && safeEqual(presented.trim(), apiToken)
          ? undefined
          : new UnauthorizedError(adminMessages.apiUnauthorized),
      );
    }) as RequestHandler,
  };
}
