import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import {
  asModerator,
  csrfTokenIn,
  moderatorEnv,
  moderatorPassword,
  moderationSettingsForm,
} from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, TRUST_PROXY: '1', LOGIN_RATE_LIMIT: '3' });
});
afterAll(() => ctx.close());

async function loginPage(agent = request.agent(ctx.app), ip = '198.51.100.1') {
  const page = await agent.get('/admin/login').set('X-Forwarded-For', ip).expect(200);
  return { agent, csrf: csrfTokenIn(page.text), page };
}

describe('signing in', () => {
  it('shows a sign-in form with a CSRF token, not cached', async () => {
    const { page } = await loginPage();
    expect(page.text).toContain('<label for="username">User name</label>');
    expect(page.text).toContain('type="password"');
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('signs in, sets a strict HttpOnly session cookie for /admin, and lands on the page asked for', async () => {
    const { agent, csrf } = await loginPage();
    const res = await agent
      .post('/admin/login')
      .set('X-Forwarded-For', '198.51.100.1')
      .type('form')
      .send({ _csrf: csrf, username: 'editor', password: moderatorPassword, next: '/admin/comments?status=spam' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/comments?status=spam');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/marginalia_admin=s%3A/);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await agent.get('/admin')).status).toBe(200);
  });

  it('issues a new session id on sign-in (no session fixation)', async () => {
    const { agent, csrf, page } = await loginPage();
    const before = String(page.headers['set-cookie']).match(/marginalia_admin=([^;]+)/)?.[1];
    const res = await agent
      .post('/admin/login')
      .set('X-Forwarded-For', '198.51.100.1')
      .type('form')
      .send({ _csrf: csrf, username: 'editor', password: moderatorPassword });
    const after = String(res.headers['set-cookie']).match(/marginalia_admin=([^;]+)/)?.[1];
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it.each([
    ['a wrong password', 'editor', 'not the password'],
    ['an unknown user', 'someone', moderatorPassword],
  ])('refuses %s with the same 401 message, keeping the user name', async (_case, username, password) => {
    const { agent, csrf } = await loginPage(undefined, '198.51.100.2');
    const res = await agent
      .post('/admin/login')
      .set('X-Forwarded-For', '198.51.100.2')
      .type('form')
      .send({ _csrf: csrf, username, password });
    expect(res.status).toBe(401);
    expect(res.text).toContain('The user name or password is incorrect.');
    expect(res.text).toContain(`value="${username}"`);
    expect(res.text).not.toContain(password);
    expect((await agent.get('/admin')).status).toBe(303);
  });

  it('limits sign-in attempts per IP (429 with a clear message), counting only failures', async () => {
    const ip = '198.51.100.3';
    const { agent, csrf } = await loginPage(undefined, ip);
    const attempt = (password: string) =>
      agent
        .post('/admin/login')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf, username: 'editor', password });
    for (let i = 0; i < 3; i += 1) expect((await attempt('wrong')).status).toBe(401);
    const limited = await attempt(moderatorPassword);
    expect(limited.status).toBe(429);
    expect(limited.text).toContain(
      'Too many sign-in attempts from your address. Please wait 15 minutes and try again.',
    );
    expect(limited.headers['retry-after']).toBe('900');
    expect(limited.headers['retry-after']).toBeDefined();
    // Another address is not affected.
    expect((await asModerator(ctx.app, '198.51.100.4')).csrf).toBeTruthy();
  });

  it('refuses a sign-in without the CSRF token (403)', async () => {
    const { agent } = await loginPage(undefined, '198.51.100.5');
    const res = await agent
      .post('/admin/login')
      .set('X-Forwarded-For', '198.51.100.5')
      .type('form')
      .send({ username: 'editor', password: moderatorPassword });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired or did not come from this site.');
  });

  it('signs out for good: the session row is deleted and the old cookie opens nothing', async () => {
    const { agent, csrf } = await loginPage(undefined, '198.51.100.6');
    const signedIn = await agent
      .post('/admin/login')
      .set('X-Forwarded-For', '198.51.100.6')
      .type('form')
      .send({ _csrf: csrf, username: 'editor', password: moderatorPassword });
    const cookie = /marginalia_admin=[^;]+/.exec(String(signedIn.headers['set-cookie']))![0];
    expect((await request(ctx.app).get('/admin').set('Cookie', cookie)).status).toBe(200);
    const sessionsBefore = await ctx.db.adminSession.count();

    const dashboard = await agent.get('/admin');
    const out = await agent
      .post('/admin/logout')
      .type('form')
      .send({ _csrf: csrfTokenIn(dashboard.text) });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/admin/login?signed-out=1');
    expect(await ctx.db.adminSession.count()).toBe(sessionsBefore - 1);
    expect((await request(ctx.app).get('/admin').set('Cookie', cookie)).status).toBe(303);
    expect((await agent.get('/admin/login?signed-out=1')).text).toContain('You have signed out.');
  });
});

describe('without a session', () => {
  it.each([
    '/admin',
    '/admin/comments',
    '/admin/comments/1/edit',
    '/admin/posts',
    '/admin/settings',
    '/admin/does-not-exist',
  ])('GET %s redirects to the sign-in page', async (path) => {
    const res = await request(ctx.app).get(path);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/login?next=${encodeURIComponent(path)}`);
  });

  it.each([
    ['/admin/comments/moderate', { single: 'approve:1' }],
    ['/admin/comments/1/edit', { comment: 'x', author: 'x', email: 'x@example.com' }],
    ['/admin/comments/1/delete', {}],
    ['/admin/posts', { title: 'x', body: 'x' }],
    ['/admin/posts/1/edit', { title: 'x', body: 'x' }],
    ['/admin/settings', moderationSettingsForm],
  ])('POST %s changes nothing and redirects to sign-in', async (path, body) => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: 'spam' });
    const res = await request(ctx.app)
      .post(path.replace('/1/', `/${comment.id}/`))
      .type('form')
      .send(body);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/login/);
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: comment.id } })).status).toBe('spam');
    expect(await ctx.db.moderationSettings.count()).toBe(0);
    expect(await ctx.db.post.count({ where: { title: 'x' } })).toBe(0);
  });
});

describe('with no moderator account configured', () => {
  it('answers every admin page with 503 and says how to set one up', async () => {
    const unconfigured = await buildTestApp();
    try {
      for (const path of ['/admin', '/admin/login']) {
        const res = await request(unconfigured.app).get(path);
        expect(res.status).toBe(503);
        expect(res.text).toContain('npm run -s admin:hash-password');
      }
      const api = await request(unconfigured.app)
        .get('/admin/api/comments')
        .set('Authorization', 'Bearer anything-at-all-000000000000000000');
      expect(api.status).toBe(503);
      expect(api.body.error.code).toBe('admin_not_configured');
    } finally {
      await unconfigured.close();
    }
  });
});

describe('failed sign-ins from many addresses', () => {
  let site: TestContext;
  beforeEach(async () => {
    site = await buildTestApp({
      ...moderatorEnv,
      TRUST_PROXY: '1',
      LOGIN_SITE_RATE_LIMIT: '4',
      LOGIN_RATE_WINDOW_SECONDS: '120',
    });
  });
  afterEach(() => site.close());

  /** A sign-in from `ip` in `agent`'s browser, with the form's token. */
  const attemptIn = async (agent: ReturnType<typeof request.agent>, ip: string, password: string) => {
    const page = await agent.get('/admin/login').set('X-Forwarded-For', ip);
    return agent
      .post('/admin/login')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrfTokenIn(page.text), username: 'editor', password });
  };
  /** The same from a new browser. */
  const attempt = (ip: string, password: string) => attemptIn(request.agent(site.app), ip, password);

  it('pause signing in for everyone once the site-wide budget is spent, saying for how long', async () => {
    for (let i = 1; i <= 4; i += 1) expect((await attempt(`192.0.2.${i}`, 'wrong')).status).toBe(401);
    const paused = await attempt('192.0.2.50', moderatorPassword);
    expect(paused.status).toBe(429);
    expect(paused.headers['retry-after']).toBe('120');
    expect(paused.text).toContain(
      'Too many failed sign-ins on this site lately, so signing in is paused. Please try again in 2 minutes.',
    );
  });

  it('spend the budget only with passwords checked and found wrong, never locking out a browser that signed in before', async () => {
    // The moderator's own browser signs in once, then signs out.
    const moderator = request.agent(site.app);
    expect((await attemptIn(moderator, '203.0.113.9', moderatorPassword)).status).toBe(303);
    const signOutPage = await moderator.get('/admin/settings').set('X-Forwarded-For', '203.0.113.9');
    await moderator
      .post('/admin/logout')
      .set('X-Forwarded-For', '203.0.113.9')
      .type('form')
      .send({ _csrf: csrfTokenIn(signOutPage.text) });
    // Forty form posts without a token, from forty addresses: refused at no cost, not counted.
    for (let i = 1; i <= 40; i += 1) {
      const res = await request(site.app)
        .post('/admin/login')
        .set('X-Forwarded-For', `192.0.2.${i}`)
        .type('form')
        .send({ username: 'editor', password: 'guess' });
      expect(res.status).toBe(403);
    }
    expect((await attempt('192.0.2.100', moderatorPassword)).status).toBe(303);
    // Real wrong guesses spend the budget: a new browser is paused, the moderator's is not.
    for (let i = 1; i <= 4; i += 1) {
      expect((await attempt(`198.51.100.${i}`, 'wrong')).status).toBe(401);
    }
    expect((await attempt('192.0.2.101', moderatorPassword)).status).toBe(429);
    expect((await attemptIn(moderator, '192.0.2.102', moderatorPassword)).status).toBe(303);
  });
});

describe('session expiry', () => {
  it('ends a session after the idle time, however old the cookie says it is', async () => {
    const moderator = await asModerator(ctx.app, '198.51.100.20');
    const res = await moderator.get('/admin');
    const expires = Date.parse(/Expires=([^;]+)/.exec(String(res.headers['set-cookie']))![1]!);
    expect(expires - Date.now()).toBeGreaterThan(58 * 60 * 1000);
    expect(expires - Date.now()).toBeLessThanOrEqual(60 * 60 * 1000);
    const row = await ctx.db.adminSession.findFirstOrThrow({
      where: { data: { contains: '"user":"editor"' } },
      orderBy: { expiresAt: 'desc' },
    });
    const idleMs = row.expiresAt.getTime() - Date.now();
    expect(idleMs).toBeGreaterThan(59 * 60 * 1000);
    expect(idleMs).toBeLessThanOrEqual(60 * 60 * 1000);
    ctx.clock.advance(59 * 60 * 1000);
    expect((await moderator.get('/admin')).status).toBe(200);
    ctx.clock.advance(61 * 60 * 1000);
    expect((await moderator.get('/admin')).status).toBe(303);
  });
});

describe('every admin form refuses a wrong CSRF token with 403 and changes nothing', () => {
  it.each([
    ['/admin/comments/moderate', (id: number) => ({ single: `approve:${id}` })],
    ['/admin/comments/ID/edit', () => ({ comment: 'changed', author: 'changed', email: 'changed@example.com' })],
    ['/admin/comments/ID/delete', () => ({})],
    ['/admin/posts', () => ({ title: 'csrf post', body: 'x' })],
    ['/admin/posts/POST/edit', () => ({ title: 'csrf post', body: 'x' })],
    ['/admin/settings', () => moderationSettingsForm],
    ['/admin/logout', () => ({})],
  ])('POST %s', async (path, body) => {
    const moderator = await asModerator(ctx.app, '198.51.100.21');
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: 'trash', text: 'untouched' });
    const url = path.replace('ID', String(comment.id)).replace('POST', String(post.id));
    const res = await moderator
      .post(url)
      .type('form')
      .send({ _csrf: 'forged', ...body(comment.id) });
    expect(res.status).toBe(403);
    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: comment.id } });
    expect(stored).toMatchObject({ status: 'trash', text: 'untouched' });
    expect(await ctx.db.post.count({ where: { title: 'csrf post' } })).toBe(0);
    expect(await ctx.db.moderationSettings.count()).toBe(0);
    expect((await moderator.get('/admin')).status).toBe(200);
  });
});
