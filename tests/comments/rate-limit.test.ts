import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { addPost } from '../helpers/factories';
import { fieldValue, formBody } from '../helpers/html';
import { buildTestApp, type TestContext } from '../helpers/test-app';

const body = (n: number) => formBody({ comment: `Comment number ${n}`, author: 'Dee', email: 'dee@example.com' });

describe('comment rate limiting', () => {
  let ctx: TestContext;
  let slug: string;
  beforeAll(async () => {
    ctx = await buildTestApp({ COMMENT_RATE_LIMIT: '2', COMMENT_RATE_WINDOW_SECONDS: '60' });
    slug = (await addPost(ctx.db)).slug;
  });
  afterAll(() => ctx.close());

  it('re-renders the form with 429, the message, the typed values and Retry-After', async () => {
    const post = (n: number) => request(ctx.app).post(`/posts/${slug}/comments`).type('form').send(body(n));
    expect((await post(1)).status).toBe(303);
    expect((await post(2)).status).toBe(303);
    const limited = await post(3);
    expect(limited.status).toBe(429);
    // The message says how long to wait: as long as Retry-After does.
    const wait = Number(limited.headers['retry-after']);
    expect(limited.text).toContain(
      `You are posting comments too quickly. Please wait ${wait} seconds before posting again.`,
    );
    expect(fieldValue(limited.text, 'comment')).toBe('Comment number 3');
    expect(fieldValue(limited.text, 'author')).toBe('Dee');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers.ratelimit).toMatch(/r=0/);
    expect(limited.headers['ratelimit-policy']).toMatch(/q=2; w=60/);
    expect(await ctx.db.comment.count({ where: { text: 'Comment number 3' } })).toBe(0);
  });

  it('shares the limit with the JSON API, which answers with the JSON error', async () => {
    const res = await request(ctx.app)
      .post(`/api/posts/${slug}/comments`)
      .send({ comment: 'x', author: 'Dee', email: 'dee@example.com' });
    expect(res.status).toBe(429);
    expect(res.body.error).toEqual({
      code: 'too_many_requests',
      message: `You are posting comments too quickly. Please wait ${res.headers['retry-after']} seconds before posting again.`,
      fields: {},
    });
  });

  it('ignores X-Forwarded-For when no proxy is trusted (a client cannot pick its own IP)', async () => {
    const res = await request(ctx.app)
      .post(`/posts/${slug}/comments`)
      .set('X-Forwarded-For', '198.51.100.77')
      .type('form')
      .send(body(4));
    expect(res.status).toBe(429);
  });
});

describe('comment rate limiting behind a trusted proxy (TRUST_PROXY=1)', () => {
  let ctx: TestContext;
  let slug: string;
  beforeAll(async () => {
    ctx = await buildTestApp({ COMMENT_RATE_LIMIT: '1', TRUST_PROXY: '1' });
    slug = (await addPost(ctx.db)).slug;
  });
  afterAll(() => ctx.close());

  const postFrom = (ip: string, n: number) =>
    request(ctx.app).post(`/posts/${slug}/comments`).set('X-Forwarded-For', ip).type('form').send(body(n));

  it('counts each client separately and records the client IP', async () => {
    expect((await postFrom('198.51.100.1', 1)).status).toBe(303);
    expect((await postFrom('198.51.100.1', 2)).status).toBe(429);
    expect((await postFrom('198.51.100.2', 3)).status).toBe(303);
    const stored = await ctx.db.comment.findFirstOrThrow({ where: { text: 'Comment number 3' } });
    expect(stored.ipAddress).toBe('198.51.100.2');
  });

  it('counts submissions that arrive together one by one: each client gets its allowance, no more', async () => {
    // On PostgreSQL the hits of one moment are counted in one statement (rate-limit-counters.ts).
    const answers = await Promise.all([
      ...[10, 11, 12, 13].map((n) => postFrom('198.51.100.20', n)),
      ...[14, 15, 16].map((n) => postFrom('198.51.100.21', n)),
    ]);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.slice(0, 4).sort()).toEqual([303, 429, 429, 429]);
    expect(statuses.slice(4).sort()).toEqual([303, 429, 429]);
  });

  // Found attacking the batched counts on PostgreSQL: a client address of a few thousand characters
  // (a trusted proxy passes the header on) was a key too long for the counters' index, and failed
  // every submission counted in the same statement with a 500.
  it('counts a client whose address is a very long string without failing the others sent with it', async () => {
    // Random, so PostgreSQL cannot compress it into the index.
    const long = `x${randomBytes(4_500).toString('base64url')}`;
    const answers = await Promise.all([
      postFrom(long, 17),
      ...[18, 19, 20].map((n) => postFrom(`198.51.100.${n + 20}`, n)),
    ]);
    expect(answers.slice(1).map((answer) => answer.status)).toEqual([303, 303, 303]);
    expect(answers[0].status).toBeLessThan(500);
    expect((await postFrom(long, 21)).status).toBe(429);
  });

  it('keys IPv6 clients by their /56 subnet', async () => {
    expect((await postFrom('2001:db8:aa:bb01::1', 4)).status).toBe(303);
    expect((await postFrom('2001:db8:aa:bbff::9', 5)).status).toBe(429);
    expect((await postFrom('2001:db8:aa:cc00::1', 6)).status).toBe(303);
  });
});
