import { hkdfSync, randomBytes } from 'node:crypto';
import type { SiteSecretsRepository } from './site-secrets-repository';

// The secrets that sign and seal cookies. Each is the one configured in the environment, or one
// generated on first start and kept in the blog's own database (never in a file beside it, which
// two blogs in one folder would share). Either way it is then bound to the blog: the key used is
// derived from the secret and the blog's random id, so a cookie signed by one blog is worthless on
// another, even one given the same configured secret.

export interface SiteSecrets {
  /** Signs the commenter cookies and form stamps, and seals saved details. */
  cookieSecret: string;
  /** Signs moderator session cookies. */
  sessionSecret: string;
}

const generated = () => randomBytes(32).toString('hex');

/** This blog's cookie and session secrets, bound to it. */
export async function loadSiteSecrets(
  repo: SiteSecretsRepository,
  configured: { cookieSecret?: string; sessionSecret?: string },
): Promise<SiteSecrets> {
  const siteId = await repo.valueOf('site-id', generated);
  const bound = (secret: string, purpose: string) =>
    Buffer.from(hkdfSync('sha256', secret, siteId, `marginalia ${purpose}`, 32)).toString('hex');
  const cookieSecret = configured.cookieSecret ?? (await repo.valueOf('cookie-secret', generated));
  const sessionSecret = configured.sessionSecret ?? (await repo.valueOf('session-secret', generated));
  return { cookieSecret: bound(cookieSecret, 'cookies'), sessionSecret: bound(sessionSecret, 'sessions') };
}
