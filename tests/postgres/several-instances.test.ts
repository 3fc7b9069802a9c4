import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { apiToken, csrfTokenIn, moderatorEnv, moderatorPassword } from '../helpers/moderator';
import { startNginx, type RunningNginx } from '../helpers/nginx';
import { startServer, type RunningServer } from '../helpers/server-process';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPostgresDatabase, dropPostgresDatabase, queryPostgres } from '../helpers/test-database';

// Three server processes on one PostgreSQL database behind nginx, as docs/OPERATIONS.md sets them
// up: what one instance does, every instance sees; what must happen once happens once.

let dir: string;
let databaseUrl: string;
let servers: RunningServer[];
let nginx: RunningNginx;
let slug: string;
let smtp: TestSmtp;
let receiver: Server;
let webhookUrl: string;
/** The webhook calls received, by their X-Marginalia-Delivery header. */
const webhookCalls: string[] = [];

const env = () => ({
  DATABASE_URL: databaseUrl,
  TRUST_PROXY: 'loopback',
  PAGE_CACHE: 'on',
  MODERATION_MODE: 'approve',
  COMMENT_RATE_LIMIT: '4',
  COMMENT_RATE_WINDOW_SECONDS: '600',
  COMMENT_FLOOD_SECONDS: '0',
  COMMENT_MIN_SECONDS: '0',
  BACKUP_INTERVAL_HOURS: '24',
  PUBLIC_URL: 'https://blog.example',
  SMTP_URL: smtp.url,
  MAIL_FROM: 'comments@blog.example',
  MODERATOR_EMAIL: 'editor@blog.example',
  WEBHOOK_URL: webhookUrl,
  WEBHOOK_SECRET: 'a webhook secret for the instances',
  NOTIFY_INTERVAL_SECONDS: '1',
  ...(moderatorEnv as Record<string, string>),
});

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-instances-'));
  databaseUrl = await createPostgresDatabase();
  smtp = await startTestSmtp();
  receiver = createServer((req, res) => {
    webhookCalls.push(String(req.headers['x-marginalia-delivery']));
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  // All three start at once on the new, empty database, each with a backup folder of its own.
  servers = await Promise.all(
    ['a', 'b', 'c'].map((name) => startServer(dir, { ...env(), BACKUP_DIR: path.join(dir, `backups-${name}`) })),
  );
  // Every new comment mails the moderator too (the comments here arrive approved).
  await queryPostgres(
    databaseUrl,
    `INSERT INTO "NotificationSettings" (id, "moderatorMail", "webhookUrl", "webhookSecret", "updatedAt")
     VALUES (1, 'every', $1, 'a webhook secret for the instances', now())`,
    [webhookUrl],
  );
  nginx = await startNginx(servers.map((server) => server.port));
  const posts = await request(servers[0]!.url).get('/admin/api/posts').set('Authorization', `Bearer ${apiToken}`);
  slug = (posts.body as { posts: { slug: string }[] }).posts[0]!.slug;
});

afterAll(async () => {
  nginx?.stop();
  await Promise.all((servers ?? []).map((server) => server.stop()));
  await dropPostgresDatabase(databaseUrl);
  await smtp?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const rows = <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
  queryPostgres<T>(databaseUrl, sql, values);

const comment = (text: string) => ({ author: 'Reader', email: 'reader@example.com', comment: text });
const postComment = (base: string, text: string, from: string) =>
  request(base).post(`/api/posts/${slug}/comments`).set('X-Forwarded-For', from).send(comment(text));

/** Polls `check` until it holds (every 100 ms, for up to 5 s): for what another process does on its own time. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let tries = 0; tries < 50; tries += 1) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

it('start together on a new database with one demo post and one set of secrets', async () => {
  expect(await rows('SELECT slug FROM "Post"')).toHaveLength(1);
  const secrets = await rows<{ name: string }>('SELECT name FROM "SiteSecret" ORDER BY name');
  expect(secrets.map((secret) => secret.name)).toEqual(['cookie-secret', 'session-secret', 'site-id']);
  for (const server of servers) expect((await request(server.url).get('/')).status).toBe(200);
});

it('count one rate limit for all of them', async () => {
  const statuses: number[] = [];
  // Six comments through nginx, which hands them to the three instances in turn: two each.
  for (let n = 1; n <= 6; n += 1)
    statuses.push((await postComment(nginx.url, `Limit test ${n}`, '198.51.100.7')).status);
  expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
  // Another client has its own allowance.
  expect((await postComment(nginx.url, 'Someone else', '198.51.100.8')).status).toBe(201);
});

// Found by the new-user run: each instance gave the same page its own ETag (the hash took in the
// per-process marks a kept page is split at), so a browser's If-None-Match missed on the others.
it('give a kept page the same ETag on every instance, so a browser revalidates on any', async () => {
  const page = (server: RunningServer, etag?: string) =>
    request(server.url)
      .get(`/posts/${slug}`)
      .set(etag ? { 'If-None-Match': etag } : {});
  await Promise.all(servers.map((server) => page(server)));
  const etags = await Promise.all(servers.map(async (server) => (await page(server)).headers.etag as string));
  expect(etags[0]).toBeDefined();
  expect(new Set(etags).size).toBe(1);
  for (const server of servers) expect((await page(server, etags[0])).status).toBe(304);
});

it('drop a kept page on every instance when one of them changes it', async () => {
  const page = (server: RunningServer) => request(server.url).get(`/posts/${slug}`);
  for (const server of servers) {
    await page(server);
    // Kept: the same page again, by its ETag.
    const again = await page(server);
    expect(again.headers.etag).toBeDefined();
  }
  const text = `Seen everywhere ${Date.now()}`;
  expect((await postComment(servers[0]!.url, text, '198.51.100.20')).status).toBe(201);
  for (const server of servers)
    expect(await eventually(async () => (await page(server)).text.includes(text))).toBe(true);
});

it('take a session opened on one instance on every other', async () => {
  const login = await request(servers[0]!.url).get('/admin/login');
  const firstCookie = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
  const signedIn = await request(servers[0]!.url)
    .post('/admin/login')
    .set('Cookie', firstCookie)
    .type('form')
    .send({ _csrf: csrfTokenIn(login.text), username: 'editor', password: moderatorPassword, next: '/admin' });
  expect(signedIn.status).toBe(303);
  const session = (signedIn.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
  for (const server of servers.slice(1)) {
    const dashboard = await request(server.url).get('/admin').set('Cookie', session);
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('Sign out');
  }
  expect((await request(nginx.url).get('/admin').set('Cookie', session)).status).toBe(200);
});

it('store one of two identical comments sent to two instances at once', async () => {
  for (let round = 0; round < 10; round += 1) {
    const text = `Said twice at once, round ${round}`;
    const from = `203.0.113.${round + 1}`;
    const answers = await Promise.all([
      postComment(servers[1]!.url, text, from),
      postComment(servers[2]!.url, text, from),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(await rows('SELECT id FROM "Comment" WHERE text = $1', [text])).toHaveLength(1);
  }
});

it('make the automatic backup once, not once per instance', async () => {
  const made = () =>
    ['a', 'b', 'c'].flatMap((name) => {
      const folder = path.join(dir, `backups-${name}`);
      return existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.dump')) : [];
    });
  expect(await eventually(() => Promise.resolve(made().length > 0))).toBe(true);
  const skipped = () => servers.filter((server) => server.output().includes('made by another server process')).length;
  expect(await eventually(() => Promise.resolve(skipped() === 2))).toBe(true);
  expect(made()).toHaveLength(1);
});

it('send each mail and webhook call once, whichever instance sends it', async () => {
  for (let n = 1; n <= 6; n += 1)
    expect((await postComment(nginx.url, `Heard of once ${n}`, `198.51.100.${50 + n}`)).status).toBe(201);
  const deliveries = async () =>
    rows<{ channel: string; status: string; n: number }>(
      'SELECT channel, status, COUNT(*)::integer AS n FROM "Delivery" GROUP BY channel, status ORDER BY channel, status',
    );
  const commentsMade = Number(
    (await rows<{ n: string }>('SELECT COUNT(*) AS n FROM "Comment" WHERE "sourceId" IS NULL'))[0]!.n,
  );
  // Every comment made here: one mail, one comment.created call; all sent, and none left to expand.
  expect(
    await eventually(async () => {
      const [events] = await rows<{ n: string }>('SELECT COUNT(*) AS n FROM "OutboxEvent"');
      const counts = await deliveries();
      const sent = (channel: string) => counts.find((row) => row.channel === channel && row.status === 'sent')?.n ?? 0;
      return Number(events!.n) === 0 && counts.every((row) => row.status === 'sent') && sent('mail') === commentsMade;
    }),
  ).toBe(true);
  // A second or two more, for any instance that would send something twice.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const counts = await deliveries();
  const webhooks = counts.find((row) => row.channel === 'webhook')!.n;
  expect(smtp.mails).toHaveLength(commentsMade);
  expect(new Set(smtp.mails.map((mail) => mail.messageId)).size).toBe(commentsMade);
  expect(webhookCalls).toHaveLength(webhooks);
  expect(new Set(webhookCalls).size).toBe(webhooks);
  expect(webhooks).toBeGreaterThanOrEqual(commentsMade);
});
