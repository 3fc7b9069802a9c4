import request from 'supertest';
import type { RequestListener } from 'node:http';
import type { ConfigInput } from '../../src/config';

export const moderatorPassword = 'moderator password 1';
export const apiToken = 'test-api-token-0123456789abcdef0123456789';

/** A moderator account and API token for buildTestApp (a cheap scrypt cost keeps tests fast). */
export const moderatorEnv: ConfigInput = {
  ADMIN_USER: 'editor',
  ADMIN_PASSWORD_HASH: 'scrypt$N=1024,r=8,p=1$xo92GvvxD3LM5drAl/lMTw==$zEO3NyhscJirHYsIexPxitaBTkSvReJKSBatn2wqVfk=',
  ADMIN_API_TOKEN: apiToken,
};

/** The moderation settings form's fields, filled in as a moderator saving "approve every comment" would. */
export const moderationSettingsForm = {
  mode: 'approve',
  maxLinks: '2',
  moderationWords: '',
  disallowedWords: '',
  wordMatch: 'substring',
  closeAfterDays: '0',
  spamFilter: 'on',
  trashTeaches: 'nothing',
};

/** The CSRF token in a page's forms. */
export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

export type ModeratorAgent = ReturnType<typeof request.agent> & { csrf: string };

/** A browser-like agent signed in as the moderator, with the CSRF token of its session. */
export async function asModerator(app: RequestListener, ip?: string): Promise<ModeratorAgent> {
  const agent = request.agent(app);
  // A client address only matters (and is only read) where the test app trusts a proxy.
  const from = ip ? { 'X-Forwarded-For': ip } : {};
  const login = await agent.get('/admin/login').set(from);
  const signedIn = await agent
    .post('/admin/login')
    .set(from)
    .type('form')
    .send({ _csrf: csrfTokenIn(login.text), username: 'editor', password: moderatorPassword, next: '/admin' });
  if (signedIn.status !== 303) throw new Error(`sign-in failed: ${signedIn.status} ${signedIn.text.slice(0, 300)}`);
  const dashboard = await agent.get('/admin');
  return Object.assign(agent, { csrf: csrfTokenIn(dashboard.text) });
}
