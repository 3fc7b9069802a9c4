import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createFormTimestamps } from '../../src/comments/form-timestamp';
import { addComment, addPost } from '../helpers/factories';
import { fieldValue, formBody, formStampOf } from '../helpers/html';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The cookie secret buildTestApp uses: the tests sign stamps of a chosen age with it.
const stamps = createFormTimestamps('test-secret-that-is-at-least-32-characters');
const stampAged = (seconds: number) => stamps.issue(new Date(Date.now() - seconds * 1000));

let counter = 0;
const fields = (extra: Record<string, string> = {}) => ({
  comment: `Words number ${++counter}`,
  author: 'Una',
  email: 'una@example.com',
  ...extra,
});

/**
 * Sends JSON submissions to one listening server at the same moment, as a double click or a
 * script would (supertest starts a server per request, which spaces them out); their statuses.
 */
async function sendAtOnce(
  ctx: TestContext,
  submissions: { path: string; body: object; headers?: Record<string, string> }[],
): Promise<number[]> {
  const server = createServer(ctx.app).listen(0, '127.0.0.1');
  try {
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const answers = await Promise.all(
      submissions.map(({ path, body, headers }) =>
        fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: JSON.stringify(body),
        }),
      ),
    );
    return answers.map((res) => res.status);
  } finally {
    server.close();
  }
}

describe('the honeypot', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await buildTestApp({ MODERATION_MODE: 'approve' });
  });
  afterAll(() => ctx.close());

  it('is hidden from people: off-screen, aria-hidden, not tabbable, no autofill', async () => {
    const post = await addPost(ctx.db);
    const html = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    expect(html).toMatch(
      /<div class="comment-form-hp" aria-hidden="true">\s*<label for="reply_note">Leave this field empty<\/label>\s*<input id="reply_note" name="reply_note" type="text" value="" tabindex="-1" autocomplete="off">/,
    );
  });

  it('stores a filled-in submission as spam, while its sender sees an ordinary held comment', async () => {
    const post = await addPost(ctx.db);
    const bot = request.agent(ctx.app);
    const page = await bot.get(`/posts/${post.slug}`);
    const res = await bot
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody(fields({ reply_note: 'https://spam.example', form_ts: stampAged(30), comment: 'bot words' })));
    expect(res.status).toBe(303);
    const stored = await ctx.db.comment.findFirstOrThrow({
      where: { text: 'bot words' },
      select: { status: true, arrivalNote: true },
    });
    expect(stored.status).toBe('spam');
    expect(stored.arrivalNote).toBe('filled in the hidden honeypot field');
    const own = await bot.get(`/posts/${post.slug}`);
    expect(own.text).toContain('bot words');
    expect(own.text).toContain('Your comment is awaiting moderation.');
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).not.toContain('bot words');
    expect(page.status).toBe(200);
  });
});

describe('the time trap', () => {
  let ctx: TestContext;
  let slug: string;
  beforeAll(async () => {
    ctx = await buildTestApp({ MODERATION_MODE: 'approve', COMMENT_MIN_SECONDS: '2' });
    slug = (await addPost(ctx.db)).slug;
  });
  afterAll(() => ctx.close());

  const post = (extra: Record<string, string>) =>
    request(ctx.app)
      .post(`/posts/${slug}/comments`)
      .type('form')
      .send(formBody(fields(extra)));
  const latest = () =>
    ctx.db.comment.findFirstOrThrow({ orderBy: { id: 'desc' }, select: { status: true, arrivalNote: true } });

  it('holds a form sent within 2 seconds of being served, as likely spam', async () => {
    const page = await request(ctx.app).get(`/posts/${slug}`);
    expect((await post({ form_ts: formStampOf(page.text) })).status).toBe(303);
    const stored = await latest();
    expect(stored.status).toBe('pending');
    expect(stored.arrivalNote).toMatch(/^held as likely spam: sent \d\.\d s after the form was served$/);
  });

  it('lets a form through that was open for a human while', async () => {
    await post({ form_ts: stampAged(5) });
    expect((await latest()).status).toBe('approved');
  });

  it.each([
    ['missing', undefined],
    ['forged', `${Date.now() - 60_000}.${'A'.repeat(43)}`],
    ['from the future', stamps.issue(new Date(Date.now() + 60_000))],
  ])('holds a form whose timestamp is %s', async (_case, stamp) => {
    await post(stamp ? { form_ts: stamp } : {});
    const stored = await latest();
    expect(stored.status).toBe('pending');
    expect(stored.arrivalNote).toBe('held as likely spam: the form timestamp was missing or forged');
  });

  it('shows a form older than a day again (422), asking to post once more, with everything kept', async () => {
    const before = await ctx.db.comment.count();
    const res = await post({ form_ts: stampAged(25 * 3600), comment: 'Written yesterday', url: 'https://una.example' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('This form was open for more than a day. Please check your comment and post it again.');
    expect(fieldValue(res.text, 'comment')).toBe('Written yesterday');
    expect(fieldValue(res.text, 'url')).toBe('https://una.example');
    expect(stamps.ageOf(formStampOf(res.text), new Date())).toBeLessThan(5000);
    expect(await ctx.db.comment.count()).toBe(before);
  });

  it('does not apply to the JSON API, which has no form', async () => {
    const res = await request(ctx.app).post(`/api/posts/${slug}/comments`).send(fields());
    expect(res.body.comment.status).toBe('approved');
  });
});

describe('duplicates', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  it('refuses the same text from the same email on the same post with 409, keeping the form', async () => {
    const post = await addPost(ctx.db);
    const same = fields({ comment: 'Said it once' });
    await request(ctx.app).post(`/posts/${post.slug}/comments`).type('form').send(formBody(same)).expect(303);
    const again = await request(ctx.app).post(`/posts/${post.slug}/comments`).type('form').send(formBody(same));
    expect(again.status).toBe(409);
    expect(again.text).toContain('Duplicate comment detected; it looks as though you’ve already said that!');
    expect(fieldValue(again.text, 'comment')).toBe('Said it once');
    const api = await request(ctx.app).post(`/api/posts/${post.slug}/comments`).send(same);
    expect(api.status).toBe(409);
    expect(api.body.error.code).toBe('duplicate_comment');
    expect(await ctx.db.comment.count({ where: { text: 'Said it once' } })).toBe(1);
  });

  it('stores one of identical submissions sent at the same moment (a double click) and refuses the others', async () => {
    const post = await addPost(ctx.db);
    const same = fields({ comment: 'Clicked twice' });
    const statuses = await sendAtOnce(
      ctx,
      Array.from({ length: 4 }, () => ({ path: `/api/posts/${post.slug}/comments`, body: same })),
    );
    expect(statuses.sort()).toEqual([201, 409, 409, 409]);
    expect(await ctx.db.comment.count({ where: { text: 'Clicked twice' } })).toBe(1);
  });

  it('allows the same text on another post, after the first went to the trash, or from another sender', async () => {
    const post = await addPost(ctx.db);
    const other = await addPost(ctx.db);
    await addComment(ctx.db, post.id, {
      text: 'Common words',
      ipAddress: '::ffff:127.0.0.1',
      clientNetwork: '127.0.0.1',
      status: 'trash',
    });
    await addComment(ctx.db, post.id, { text: 'Said elsewhere', ipAddress: '192.0.2.33' });
    const send = (slug: string, comment: string, email = 'una@example.com') =>
      request(ctx.app).post(`/api/posts/${slug}/comments`).send({ comment, author: 'U', email });
    expect((await send(post.slug, 'Common words')).status).toBe(201);
    expect((await send(other.slug, 'Common words')).status).toBe(201);
    expect((await send(post.slug, 'Said elsewhere')).status).toBe(201);
    // The same network is the same sender, whatever name or address it types.
    expect((await send(post.slug, 'Common words', 'someone@example.com')).status).toBe(409);
  });
});

describe('the flood check', () => {
  let ctx: TestContext;
  let slug: string;
  beforeAll(async () => {
    ctx = await buildTestApp({ COMMENT_FLOOD_SECONDS: '15', TRUST_PROXY: '1' });
    slug = (await addPost(ctx.db)).slug;
  });
  afterAll(() => ctx.close());

  const send = (ip: string, email: string, extra: Record<string, string> = {}) =>
    request(ctx.app)
      .post(`/posts/${slug}/comments`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send(formBody(fields({ email, ...extra })));

  it('makes the same IP address wait 15 seconds, whatever the email', async () => {
    expect((await send('198.51.100.60', 'first@example.com')).status).toBe(303);
    const res = await send('198.51.100.60', 'second@example.com', { comment: 'Too soon' });
    expect(res.status).toBe(429);
    const wait = Number(res.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(14);
    expect(res.text).toContain(
      `You are posting comments too quickly. Please wait ${wait} seconds before posting again.`,
    );
    expect(fieldValue(res.text, 'comment')).toBe('Too soon');
    expect(await ctx.db.comment.count({ where: { text: 'Too soon' } })).toBe(0);
  });

  it('does not make an email address wait on another network (that would tell who just commented)', async () => {
    expect((await send('198.51.100.61', 'roamer@example.com')).status).toBe(303);
    expect((await send('198.51.100.62', 'roamer@example.com')).status).toBe(303);
  });

  it('lets others comment meanwhile', async () => {
    expect((await send('198.51.100.63', 'a@example.com')).status).toBe(303);
    expect((await send('198.51.100.64', 'b@example.com')).status).toBe(303);
  });

  it('lets the same sender again once the 15 seconds have passed', async () => {
    expect((await send('198.51.100.65', 'patient@example.com')).status).toBe(303);
    ctx.clock.advance(14_000);
    expect((await send('198.51.100.65', 'patient@example.com')).status).toBe(429);
    ctx.clock.advance(2_000);
    expect((await send('198.51.100.65', 'patient@example.com')).status).toBe(303);
  });

  it('checks for a duplicate before the flood: the same words twice are a 409', async () => {
    const same = { comment: 'Said twice quickly' };
    expect((await send('198.51.100.66', 'twice@example.com', same)).status).toBe(303);
    expect((await send('198.51.100.66', 'twice@example.com', same)).status).toBe(409);
  });

  it('lets one of several comments sent at the same moment from one address through, and makes the others wait', async () => {
    const headers = { 'X-Forwarded-For': '198.51.100.67' };
    const statuses = await sendAtOnce(
      ctx,
      ['one', 'two', 'three', 'four'].map((who) => ({
        path: `/api/posts/${slug}/comments`,
        body: fields({ email: `${who}@example.com` }),
        headers,
      })),
    );
    expect(statuses.sort()).toEqual([201, 429, 429, 429]);
    expect(await ctx.db.comment.count({ where: { ipAddress: '198.51.100.67' } })).toBe(1);
  });

  it('is off with COMMENT_FLOOD_SECONDS=0', async () => {
    const relaxed = await buildTestApp({ COMMENT_FLOOD_SECONDS: '0' });
    try {
      const post = await addPost(relaxed.db);
      for (let i = 0; i < 3; i += 1) {
        expect((await request(relaxed.app).post(`/api/posts/${post.slug}/comments`).send(fields())).status).toBe(201);
      }
    } finally {
      await relaxed.close();
    }
  });
});
