import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// IP addresses and user agents: stored as people read them, kept no longer than IP_RETENTION_DAYS.
// (The migration that rewrote stored addresses is tested in tests/db/database.test.ts and
// tests/postgres/migrations.test.ts.)

const day = 24 * 3_600_000;
const send = (ctx: TestContext, comment: string, agent: ReturnType<typeof request> = request(ctx.app)) =>
  agent
    .post(`/api/posts/${slugOf(ctx)}/comments`)
    .set('User-Agent', 'Lynx/2.9')
    .send({ comment, author: 'Ada', email: 'ada@example.com' });
const slugs = new Map<TestContext, string>();
const slugOf = (ctx: TestContext) => slugs.get(ctx)!;

describe('with the default retention (30 days)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await buildTestApp();
    slugs.set(ctx, (await addPost(ctx.db)).slug);
  });
  afterAll(() => ctx.close());

  it('stores an IPv4 client as a.b.c.d, not in the mapped form a dual-stack listener reports', async () => {
    // As the server listens: on every address, IPv6 and IPv4 alike ("::").
    const server = createServer(ctx.app);
    await new Promise<void>((resolve) => server.listen(0, '::', resolve));
    const { port } = server.address() as AddressInfo;
    const res = await send(ctx, 'From IPv4', request(`http://127.0.0.1:${port}`)).expect(201);
    await new Promise((resolve) => server.close(resolve));
    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: res.body.comment.id } });
    expect(stored.ipAddress).toBe('127.0.0.1');
    expect(stored.clientNetwork).toBe('127.0.0.1');
    expect(stored.userAgent).toBe('Lynx/2.9');
  });

  it('removes IP addresses, user agents and networks from comments older than the retention, daily', async () => {
    const post = await addPost(ctx.db);
    const old = await addComment(ctx.db, post.id, { createdAt: new Date(ctx.clock.now().getTime() - 31 * day) });
    const recent = await addComment(ctx.db, post.id, { createdAt: new Date(ctx.clock.now().getTime() - 29 * day) });
    expect(await ctx.app.addressRetention.runOnce()).toBeGreaterThanOrEqual(1);
    expect(await ctx.db.comment.findUniqueOrThrow({ where: { id: old.id } })).toMatchObject({
      ipAddress: null,
      userAgent: null,
      clientNetwork: null,
      text: old.text,
      authorEmail: old.authorEmail,
    });
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: recent.id } })).ipAddress).toBe('203.0.113.9');

    ctx.clock.advance(2 * day);
    await ctx.app.addressRetention.runOnce();
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: recent.id } })).ipAddress).toBeNull();
    // Nothing left to remove: a second run changes nothing.
    expect(await ctx.app.addressRetention.runOnce()).toBe(0);
  });
});

describe('with IP_RETENTION_DAYS=0', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await buildTestApp({ IP_RETENTION_DAYS: '0', COMMENT_FLOOD_SECONDS: '15' });
    slugs.set(ctx, (await addPost(ctx.db)).slug);
  });
  afterAll(() => ctx.close());

  it('stores no IP address or user agent at all; the flood check still sees the sender for a day', async () => {
    const res = await send(ctx, 'Not kept').expect(201);
    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: res.body.comment.id } });
    expect(stored).toMatchObject({ ipAddress: null, userAgent: null, clientNetwork: '127.0.0.1' });
    expect((await send(ctx, 'Too soon')).status).toBe(429);

    ctx.clock.advance(day + 60_000);
    await ctx.app.addressRetention.runOnce();
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: stored.id } })).clientNetwork).toBeNull();
  });
});

describe('the retention and the mail kept', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await buildTestApp();
  });
  afterAll(() => ctx.close());

  it('removes mail and webhook calls done with before the retention (they quote IP addresses), never a queued one', async () => {
    const old = new Date(ctx.clock.now().getTime() - 31 * day);
    const row = (status: string, createdAt: Date) =>
      ctx.db.delivery.create({
        data: {
          channel: 'mail',
          kind: 'moderator',
          recipient: 'm@example.com',
          body: 'IP address: 203.0.113.9',
          status,
          nextAttemptAt: createdAt,
          createdAt,
        },
      });
    const sent = await row('sent', old);
    const queued = await row('queued', old);
    const recent = await row('sent', ctx.clock.now());
    await ctx.app.addressRetention.runOnce();
    expect(await ctx.db.delivery.findUnique({ where: { id: sent.id } })).toBeNull();
    expect(await ctx.db.delivery.findUnique({ where: { id: queued.id } })).not.toBeNull();
    expect(await ctx.db.delivery.findUnique({ where: { id: recent.id } })).not.toBeNull();
  });
});
