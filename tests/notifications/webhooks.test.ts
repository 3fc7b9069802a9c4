import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { addPost } from '../helpers/factories';
import { formBody } from '../helpers/html';
import { apiToken, asModerator, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Webhooks to a real HTTP receiver in this process, which checks each call's signature as the
// README tells a receiver to.

interface Call {
  headers: IncomingHttpHeaders;
  body: string;
}

const secret = 'a webhook secret of some length';
let receiver: Server;
let url: string;
const calls: Call[] = [];
let answer = 204;
let ctx: TestContext;
let slug: string;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      calls.push({ headers: req.headers, body });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  ctx = await buildTestApp({
    ...moderatorEnv,
    WEBHOOK_URL: url,
    WEBHOOK_SECRET: secret,
    PUBLIC_URL: 'https://blog.example',
  });
  slug = (await addPost(ctx.db, { title: 'Hooked' })).slug;
});
afterAll(async () => {
  await ctx.close();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(() => {
  calls.length = 0;
  answer = 204;
});

/** What a receiver does: recompute the HMAC over "<t>.<body>", compare in constant time, check t is recent. */
function verify(call: Call, key = secret): boolean {
  const header = String(call.headers['x-marginalia-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', key).update(`${match[1]}.${call.body}`).digest();
  const given = Buffer.from(match[2]!, 'hex');
  const age = Math.abs(ctx.clock.now().getTime() / 1000 - Number(match[1]));
  return given.length === expected.length && timingSafeEqual(given, expected) && age < 300;
}

async function postComment(text: string): Promise<number> {
  const res = await request(ctx.app)
    .post(`/posts/${slug}/comments`)
    .type('form')
    .send(formBody({ author: 'Wen', email: 'wen@example.com', comment: text }));
  expect(res.status).toBe(303);
  return (await ctx.db.comment.findFirstOrThrow({ where: { text } })).id;
}

it('posts comment.created, signed, with the comment as the admin API shows it and its post', async () => {
  const id = await postComment('A comment for the hook.');
  await ctx.app.notifier.runOnce();
  expect(calls).toHaveLength(1);
  const [call] = calls;
  expect(verify(call!)).toBe(true);
  expect(verify(call!, 'some other secret, long enough')).toBe(false);
  expect(call!.headers['content-type']).toBe('application/json');
  expect(call!.headers['x-marginalia-event']).toBe('comment.created');
  const sent = JSON.parse(call!.body);
  const fromApi = await request(ctx.app).get('/admin/api/comments').set('Authorization', `Bearer ${apiToken}`);
  expect(sent).toEqual({
    event: 'comment.created',
    occurredAt: expect.any(String),
    comment: fromApi.body.comments.find((comment: { id: number }) => comment.id === id),
    post: expect.objectContaining({ slug, title: 'Hooked', url: `https://blog.example/posts/${slug}` }),
  });
});

it('posts comment.approved, comment.spam and comment.trashed as the moderator acts', async () => {
  const id = await postComment('A comment to move about.');
  await ctx.app.notifier.runOnce();
  calls.length = 0;
  const moderator = await asModerator(ctx.app);
  for (const action of ['approve', 'spam', 'trash'])
    await moderator
      .post('/admin/comments/moderate')
      .type('form')
      .send(formBody({ _csrf: moderator.csrf, single: `${action}:${id}`, return: '/admin/comments' }))
      .expect(303);
  await ctx.app.notifier.runOnce();
  expect(calls.map((call) => call.headers['x-marginalia-event'])).toEqual([
    'comment.approved',
    'comment.spam',
    'comment.trashed',
  ]);
  expect(calls.every((call) => verify(call))).toBe(true);
  expect(calls.map((call) => JSON.parse(call.body).comment.status)).toEqual(['trash', 'trash', 'trash']);
});

it('retries a call the receiver answered with 500, later, and stops once it gets a 2xx', async () => {
  answer = 500;
  const id = await postComment('A comment the receiver fails on.');
  await ctx.app.notifier.runOnce();
  expect(calls).toHaveLength(1);
  expect(await ctx.db.delivery.findFirstOrThrow({ where: { commentId: id, channel: 'webhook' } })).toMatchObject({
    status: 'queued',
    attempts: 1,
    lastError: 'the receiver answered 500',
  });
  answer = 200;
  await ctx.app.notifier.runOnce();
  expect(calls).toHaveLength(1); // not before its minute
  ctx.clock.advance(61_000);
  await ctx.app.notifier.runOnce();
  await ctx.app.notifier.runOnce();
  expect(calls).toHaveLength(2);
  expect(calls[1]!.body).toBe(calls[0]!.body);
  expect(verify(calls[1]!)).toBe(true);
  expect(await ctx.db.delivery.findFirstOrThrow({ where: { commentId: id, channel: 'webhook' } })).toMatchObject({
    status: 'sent',
    attempts: 2,
  });
});

it('takes its address and secret from the settings once saved, and none when they are emptied', async () => {
  const moderator = await asModerator(ctx.app);
  const refused = await moderator
    .post('/admin/settings/notifications')
    .type('form')
    .send(formBody({ _csrf: moderator.csrf, moderatorMail: 'held', webhookUrl: url, webhookSecret: 'short' }));
  expect(refused.status).toBe(422);
  expect(refused.text).toContain('The webhook secret must be at least 16 characters.');
  // Found by attacking the feature: an address with credentials in it could never be called, and its errors repeated it.
  const withCredentials = await moderator
    .post('/admin/settings/notifications')
    .type('form')
    .send(
      formBody({
        _csrf: moderator.csrf,
        moderatorMail: 'held',
        webhookUrl: 'https://user:pw@hooks.example/x',
        webhookSecret: secret,
      }),
    );
  expect(withCredentials.status).toBe(422);
  expect(withCredentials.text).toContain('The webhook address must not hold a user name or password');
  const saved = await moderator
    .post('/admin/settings/notifications')
    .type('form')
    .send(formBody({ _csrf: moderator.csrf, moderatorMail: 'held', webhookUrl: '', webhookSecret: '' }));
  expect(saved.status).toBe(303);
  await postComment('Nobody is listening now.');
  await ctx.app.notifier.runOnce();
  expect(calls).toHaveLength(0);
  // Found by trying it as a new user: an address needs a secret, none saved and none typed is refused.
  const noSecret = await moderator
    .post('/admin/settings/notifications')
    .type('form')
    .send(formBody({ _csrf: moderator.csrf, moderatorMail: 'held', webhookUrl: url, webhookSecret: '' }));
  expect(noSecret.status).toBe(422);
  expect(noSecret.text).toContain('A webhook needs a secret of at least 16 characters');
  await moderator
    .post('/admin/settings/notifications')
    .type('form')
    .send(formBody({ _csrf: moderator.csrf, moderatorMail: 'held', webhookUrl: url, webhookSecret: secret }))
    .expect(303);
  // The secret is never sent back to the browser; saving with its field empty keeps it.
  const page = await moderator.get('/admin/settings/notifications');
  expect(page.text).not.toContain(secret);
  expect(page.text).toContain('A secret is set: leave this empty to keep it.');
  await moderator
    .post('/admin/settings/notifications')
    .type('form')
    .send(formBody({ _csrf: moderator.csrf, moderatorMail: 'held', webhookUrl: url, webhookSecret: '' }))
    .expect(303);
  await postComment('Heard again, signed with the kept secret.');
  await ctx.app.notifier.runOnce();
  expect(calls).toHaveLength(1);
  expect(verify(calls[0]!)).toBe(true);
});
