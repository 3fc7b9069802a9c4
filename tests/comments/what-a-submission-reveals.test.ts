import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { formBody } from '../helpers/html';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// A submission is compared with earlier ones (a repeat, a flood, a known author) only where its
// sender proves they are the same person: the same browser (its signed own-comments cookie) or
// the same network. Anyone else gets exactly the answer any held comment gets, so guessing an
// address tells nothing about whether it has commented.

let ctx: TestContext;
beforeEach(async () => {
  ctx = await buildTestApp({ TRUST_PROXY: '1', COMMENT_FLOOD_SECONDS: '15' });
});
afterEach(() => ctx.close());

const ann = { author: 'Ann Example', email: 'ann@example.com' };

function sendForm(slug: string, ip: string, fields: Record<string, string>, agent = request.agent(ctx.app)) {
  return agent.post(`/posts/${slug}/comments`).set('X-Forwarded-For', ip).type('form').send(formBody(fields));
}

function sendJson(slug: string, ip: string, fields: Record<string, string>) {
  return request(ctx.app).post(`/api/posts/${slug}/comments`).set('X-Forwarded-For', ip).send(fields);
}

/** What an answer shows of itself, apart from the values that differ from one comment to the next. */
function shapeOf(res: request.Response) {
  const body = res.body as { comment?: Record<string, unknown> };
  return {
    status: res.status,
    headers: Object.keys(res.headers).sort(),
    location: String(res.headers.location ?? '').replace(/\d+/g, 'N'),
    body: body.comment ? { keys: Object.keys(body.comment).sort(), status: body.comment.status } : res.text.length > 0,
  };
}

describe('someone else’s words and address', () => {
  it('sent again from elsewhere get the answer any held comment gets (form and API), not 409', async () => {
    const post = await addPost(ctx.db);
    await addComment(ctx.db, post.id, {
      text: 'Ann said this first.',
      authorName: ann.author,
      authorEmail: ann.email,
      ipAddress: '192.0.2.10',
    });
    const guess = await sendForm(post.slug, '198.51.100.7', { ...ann, comment: 'Ann said this first.' });
    const control = await sendForm(post.slug, '198.51.100.8', { ...ann, author: 'Bo', comment: 'Something new.' });
    expect(shapeOf(guess)).toEqual(shapeOf(control));
    expect(guess.status).toBe(303);

    const guessJson = await sendJson(post.slug, '198.51.100.9', { ...ann, comment: 'Ann said this first.' });
    const controlJson = await sendJson(post.slug, '198.51.100.11', { ...ann, comment: 'Something else new.' });
    expect(shapeOf(guessJson)).toEqual(shapeOf(controlJson));
    expect(guessJson.body.comment.status).toBe('pending');
  });

  it('do not reveal that the address commented a moment ago: no 429, no Retry-After', async () => {
    const post = await addPost(ctx.db);
    expect((await sendForm(post.slug, '192.0.2.20', { ...ann, comment: 'Ann, just now.' })).status).toBe(303);
    const guess = await sendForm(post.slug, '198.51.100.21', { ...ann, comment: 'Someone typing Ann’s address.' });
    const control = await sendForm(post.slug, '198.51.100.22', {
      author: 'Cy',
      email: 'cy@example.com',
      comment: 'Cy, new.',
    });
    expect(shapeOf(guess)).toEqual(shapeOf(control));
    expect(guess.headers['retry-after']).toBeUndefined();
  });
});

describe('the "known author" rule', () => {
  beforeEach(async () => {
    await ctx.db.moderationSettings.create({
      data: {
        id: 1,
        mode: 'known',
        maxLinks: 2,
        moderationWords: '',
        disallowedWords: '',
        wordMatch: 'substring',
        closeAfterDays: 0,
      },
    });
  });

  it('does not approve (or say "approved" to) a stranger who types a known name and address', async () => {
    const post = await addPost(ctx.db);
    await addComment(ctx.db, post.id, { authorName: ann.author, authorEmail: ann.email, ipAddress: '192.0.2.30' });
    const stranger = await sendJson(post.slug, '198.51.100.31', { ...ann, comment: 'Pretending to be Ann.' });
    expect(stranger.status).toBe(201);
    expect(stranger.body.comment.status).toBe('pending');
    const unknown = await sendJson(post.slug, '198.51.100.32', {
      author: 'Di',
      email: 'di@example.com',
      comment: 'Di.',
    });
    expect(shapeOf(stranger)).toEqual(shapeOf(unknown));
    expect(await ctx.db.comment.count({ where: { text: 'Pretending to be Ann.', status: 'approved' } })).toBe(0);
  });

  it('approves the known author from the same network, or from the browser that posted the approved comment', async () => {
    const post = await addPost(ctx.db);
    const lastWeek = new Date(ctx.clock.now().getTime() - 7 * 24 * 3600 * 1000);
    await addComment(ctx.db, post.id, {
      authorName: ann.author,
      authorEmail: ann.email,
      ipAddress: '192.0.2.40',
      createdAt: lastWeek,
    });
    const home = await sendJson(post.slug, '192.0.2.40', { ...ann, comment: 'Ann, from home.' });
    expect(home.body.comment.status).toBe('approved');

    const browser = request.agent(ctx.app);
    const first = await sendForm(
      post.slug,
      '192.0.2.41',
      { author: 'Eve', email: 'eve@example.com', comment: 'Eve, once.' },
      browser,
    );
    const id = Number(/#comment-(\d+)$/.exec(first.headers.location!)![1]);
    await ctx.db.comment.update({ where: { id }, data: { status: 'approved' } });
    ctx.clock.advance(20_000);
    // The same browser (its cookie) on another network, through the API (the form would also meet the time trap).
    const travelling = await browser
      .post(`/api/posts/${post.slug}/comments`)
      .set('X-Forwarded-For', '203.0.113.42')
      .send({ author: 'Eve', email: 'eve@example.com', comment: 'Eve, travelling.' });
    expect(travelling.body.comment.status).toBe('approved');
  });
});

describe('the same person', () => {
  it('is still told about a repeat: from the same network, or from the same browser on another network', async () => {
    const post = await addPost(ctx.db);
    const words = { ...ann, comment: 'Said it once.' };
    expect((await sendForm(post.slug, '192.0.2.50', words)).status).toBe(303);
    ctx.clock.advance(20_000);
    expect((await sendForm(post.slug, '192.0.2.50', words)).status).toBe(409);

    const browser = request.agent(ctx.app);
    const mine = { ...ann, comment: 'Mine, from my phone.' };
    expect((await sendForm(post.slug, '192.0.2.51', mine, browser)).status).toBe(303);
    ctx.clock.advance(20_000);
    expect((await sendForm(post.slug, '203.0.113.51', mine, browser)).status).toBe(409);
  });

  it('is asked to wait: from the same network, or from the same browser on another network', async () => {
    const post = await addPost(ctx.db);
    expect((await sendForm(post.slug, '192.0.2.60', { ...ann, comment: 'One.' })).status).toBe(303);
    const sameNetwork = await sendForm(post.slug, '192.0.2.60', {
      author: 'Fay',
      email: 'fay@example.com',
      comment: 'Two.',
    });
    expect(sameNetwork.status).toBe(429);

    const browser = request.agent(ctx.app);
    expect((await sendForm(post.slug, '192.0.2.61', { ...ann, comment: 'Three.' }, browser)).status).toBe(303);
    expect((await sendForm(post.slug, '203.0.113.61', { ...ann, comment: 'Four.' }, browser)).status).toBe(429);
    ctx.clock.advance(16_000);
    expect((await sendForm(post.slug, '203.0.113.61', { ...ann, comment: 'Five.' }, browser)).status).toBe(303);
  });

  it('counts an IPv6 sender by its /56, as the rate limit does, and an IPv4 address however it is written', async () => {
    const post = await addPost(ctx.db);
    const say = (ip: string, comment: string) =>
      sendForm(post.slug, ip, { author: 'Gil', email: `${comment}@example.com`, comment });
    expect((await say('2001:db8:1:200::1', 'first')).status).toBe(303);
    expect((await say('2001:db8:1:2ff::2', 'second')).status).toBe(429);
    expect((await say('2001:db8:1:300::1', 'third')).status).toBe(303);
    expect((await say('::ffff:192.0.2.70', 'fourth')).status).toBe(303);
    expect((await say('192.0.2.70', 'fifth')).status).toBe(429);
  });
});
