import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { formBody } from '../helpers/html';
import {
  asModerator,
  csrfTokenIn,
  moderatorEnv,
  type ModeratorAgent,
  moderationSettingsForm,
} from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let moderator: ModeratorAgent;
let slug: string;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, TRUST_PROXY: '1' });
  moderator = await asModerator(ctx.app);
  slug = (await addPost(ctx.db)).slug;
});
afterAll(() => ctx.close());

const baseSettings = moderationSettingsForm;

async function saveSettings(changes: Record<string, string>) {
  const page = await moderator.get('/admin/settings');
  const res = await moderator
    .post('/admin/settings')
    .type('form')
    .send({ ...baseSettings, ...changes, _csrf: csrfTokenIn(page.text) });
  expect(res.status).toBe(303);
}

let submissions = 0;
async function submit(
  fields: Partial<Record<'comment' | 'author' | 'email' | 'url', string>>,
  userAgent = 'rules-test',
) {
  submissions += 1;
  const body = {
    comment: `A plain remark, number ${submissions}.`,
    author: 'Rita',
    email: 'rita@example.com',
    ...fields,
  };
  const res = await request(ctx.app)
    .post(`/api/posts/${slug}/comments`)
    .set('User-Agent', userAgent)
    .set('X-Forwarded-For', '203.0.113.50')
    .send(body);
  expect(res.status).toBe(201);
  const stored = await ctx.db.comment.findUniqueOrThrow({
    where: { id: res.body.comment.id },
    select: { id: true, status: true, arrivalNote: true, statusChanges: true },
  });
  return { stored, publicStatus: res.body.comment.status as string };
}

describe('/admin/settings', () => {
  it('starts from the environment defaults and saves changes', async () => {
    const page = await moderator.get('/admin/settings').expect(200);
    expect(page.text).toMatch(/id="mode-hold" name="mode" value="hold" checked/);
    expect(page.text).toContain('“press” matches “WordPress”');
    await saveSettings({
      mode: 'known',
      maxLinks: '5',
      moderationWords: 'Casino\n  cheap pills \n',
      wordMatch: 'whole',
    });
    const saved = await moderator.get('/admin/settings');
    expect(saved.text).toContain('Settings saved.');
    expect(saved.text).toMatch(/id="mode-known" name="mode" value="known" checked/);
    expect(saved.text).toContain('>casino\ncheap pills</textarea>');
    expect(saved.text).toMatch(/id="wordMatch-whole" name="wordMatch" value="whole" checked/);
  });

  it('refuses bad values with 422 and keeps what was typed', async () => {
    const res = await moderator
      .post('/admin/settings')
      .type('form')
      .send({
        ...baseSettings,
        maxLinks: 'lots',
        closeAfterDays: '-1',
        moderationWords: 'kept words',
        _csrf: moderator.csrf,
      });
    expect(res.status).toBe(422);
    expect(res.text).toContain('The number of links must be a whole number.');
    expect(res.text).toContain('The number of days cannot be negative.');
    expect(res.text).toContain('>kept words</textarea>');
  });
});

describe('moderation rules on arrival', () => {
  it('hold: every comment waits, and the reason is recorded', async () => {
    await saveSettings({ mode: 'hold' });
    const { stored } = await submit({});
    expect(stored.status).toBe('pending');
    expect(stored).toMatchObject({ status: 'pending', arrivalNote: 'held for moderation', statusChanges: [] });
  });

  it('approve: every clean comment appears at once', async () => {
    await saveSettings({ mode: 'approve' });
    expect((await submit({})).stored.status).toBe('approved');
  });

  it('known: approves an author with an approved comment under the same name and email, holds others', async () => {
    await saveSettings({ mode: 'known' });
    const first = await submit({ author: 'Kim', email: 'kim@example.com' });
    expect(first.stored.status).toBe('pending');
    await ctx.db.comment.update({ where: { id: first.stored.id }, data: { status: 'approved' } });
    expect((await submit({ author: 'Kim', email: 'kim@example.com' })).stored.status).toBe('approved');
    expect((await submit({ author: 'Kim', email: 'other@example.com' })).stored.status).toBe('pending');
    expect((await submit({ author: 'Not Kim', email: 'kim@example.com' })).stored.status).toBe('pending');
  });

  it('holds a comment with more links than allowed', async () => {
    await saveSettings({ mode: 'approve', maxLinks: '2' });
    expect((await submit({ comment: 'http://a.example https://b.example' })).stored.status).toBe('approved');
    const { stored } = await submit({ comment: 'http://a.example https://b.example http://c.example' });
    expect(stored.status).toBe('pending');
    expect(stored.arrivalNote).toBe('has 3 links (more than 2)');
  });

  it.each([
    ['the text', { comment: 'try my CASINO bonus' }, 'rules-test'],
    ['the name', { author: 'Casino King' }, 'rules-test'],
    ['the email', { email: 'casino@example.com' }, 'rules-test'],
    ['the website', { url: 'https://casino.example' }, 'rules-test'],
    ['the user agent', {}, 'CasinoBot/1.0'],
  ])('holds a comment with a moderation word in %s (case-insensitive)', async (_field, fields, userAgent) => {
    await saveSettings({ mode: 'approve', moderationWords: 'casino' });
    const { stored } = await submit(fields, userAgent);
    expect(stored.status).toBe('pending');
    expect(stored.arrivalNote).toBe('contains the moderation word “casino”');
  });

  it('matches the IP address too', async () => {
    await saveSettings({ mode: 'approve', moderationWords: '203.0.113.50' });
    expect((await submit({})).stored.status).toBe('pending');
  });

  it('matches inside words with substring matching, and only whole words with whole-word matching', async () => {
    await saveSettings({ mode: 'approve', moderationWords: 'press', wordMatch: 'substring' });
    expect((await submit({ comment: 'I use WordPress' })).stored.status).toBe('pending');
    await saveSettings({ mode: 'approve', moderationWords: 'press', wordMatch: 'whole' });
    expect((await submit({ comment: 'I still use WordPress' })).stored.status).toBe('approved');
    expect((await submit({ comment: 'Stop the Press!' })).stored.status).toBe('pending');
  });

  it('sends a comment with a disallowed word to spam, while the sender sees it as awaiting moderation', async () => {
    await saveSettings({ mode: 'approve', disallowedWords: 'viagra', moderationWords: 'viagra' });
    const { stored, publicStatus } = await submit({ comment: 'cheap VIAGRA here' });
    expect(stored.status).toBe('spam');
    expect(stored.arrivalNote).toBe('contains the disallowed word “viagra”');
    expect(publicStatus).toBe('pending');

    const sender = request.agent(ctx.app);
    await sender
      .post(`/posts/${slug}/comments`)
      .set('X-Forwarded-For', '203.0.113.51')
      .type('form')
      .send(formBody({ comment: 'more viagra', author: 'S', email: 's@example.com' }))
      .expect(303);
    const own = await sender.get(`/posts/${slug}`);
    expect(own.text).toContain('more viagra');
    expect(own.text).toContain('Your comment is awaiting moderation.');
    expect((await request(ctx.app).get(`/posts/${slug}`)).text).not.toContain('more viagra');
  });
});

describe('closing comments', () => {
  it('closes comments on posts older than the configured age', async () => {
    await saveSettings({ mode: 'approve', closeAfterDays: '30' });
    const old = await addPost(ctx.db, { publishedAt: new Date(Date.now() - 31 * 24 * 3600 * 1000) });
    const recent = await addPost(ctx.db, { publishedAt: new Date(Date.now() - 29 * 24 * 3600 * 1000) });
    const oldPage = await request(ctx.app).get(`/posts/${old.slug}`);
    expect(oldPage.text).toContain('Comments are closed.');
    expect(oldPage.text).not.toContain('Leave a Reply');
    const refused = await request(ctx.app)
      .post(`/api/posts/${old.slug}/comments`)
      .send({ comment: 'late', author: 'L', email: 'l@example.com' });
    expect(refused.status).toBe(403);
    expect((await request(ctx.app).get(`/posts/${recent.slug}`)).text).toContain('Leave a Reply');
    await saveSettings({ mode: 'approve', closeAfterDays: '0' });
    expect((await request(ctx.app).get(`/posts/${old.slug}`)).text).toContain('Leave a Reply');
  });

  it('closes comments on one post from its edit form', async () => {
    const post = await addPost(ctx.db, { title: 'Closable' });
    const form = await moderator.get(`/admin/posts/${post.id}/edit`);
    const res = await moderator
      .post(`/admin/posts/${post.id}/edit`)
      .type('form')
      .send({ _csrf: csrfTokenIn(form.text), title: 'Closable', slug: post.slug, body: 'Body.', authorName: 'A' });
    expect(res.status).toBe(303);
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).toContain('Comments are closed.');
    await addComment(ctx.db, post.id, { text: 'still shown after closing' });
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).toContain('still shown after closing');
  });
});
