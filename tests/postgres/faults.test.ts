import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { moderatorEnv } from '../helpers/moderator';
import { startNginx, type RunningNginx } from '../helpers/nginx';
import { createPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster';
import { startServer, type RunningServer } from '../helpers/server-process';
import { queryPostgres } from '../helpers/test-database';

// Real faults under a real write load through nginx: an instance killed outright, and PostgreSQL
// itself stopped and started again. Nothing acknowledged may be lost, nothing may hang, and no
// one may see a server error page.

let dir: string;
let cluster: PostgresCluster;
let servers: RunningServer[];
let nginx: RunningNginx;
let slug: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-faults-'));
  cluster = await createPostgresCluster();
  await queryPostgres(cluster.url('postgres'), 'CREATE DATABASE blog');
  const env = {
    DATABASE_URL: cluster.url('blog'),
    TRUST_PROXY: 'loopback',
    MODERATION_MODE: 'approve',
    COMMENT_RATE_LIMIT: '100000',
    COMMENT_FLOOD_SECONDS: '0',
    COMMENT_MIN_SECONDS: '0',
    ...(moderatorEnv as Record<string, string>),
  };
  servers = await Promise.all([1, 2, 3].map(() => startServer(dir, env)));
  nginx = await startNginx(servers.map((server) => server.port));
  slug = (await queryPostgres<{ slug: string }>(cluster.url('blog'), 'SELECT slug FROM "Post"'))[0]!.slug;
});

afterAll(async () => {
  nginx?.stop();
  await Promise.all((servers ?? []).map((server) => server.stop()));
  await cluster?.remove();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  text: string;
  status: number;
  retryAfter?: string;
  body: string;
}

/** `count` comments through nginx, `parallel` at a time; `during(n)` is called after the n-th answer. */
async function writeLoad(label: string, count: number, parallel: number, during: (answered: number) => void) {
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = (next += 1);
      const text = `${label} comment ${n}`;
      const res = await request(nginx.url)
        .post(`/api/posts/${slug}/comments`)
        .set('X-Forwarded-For', `198.51.100.${(n % 200) + 1}`)
        .timeout(15_000)
        .send({ author: 'Load', email: 'load@example.com', comment: text });
      answers.push({ text, status: res.status, retryAfter: res.headers['retry-after'], body: res.text });
      during(answers.length);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return answers;
}

async function storedTexts(): Promise<Set<string>> {
  const rows = await queryPostgres<{ text: string }>(cluster.url('blog'), 'SELECT text FROM "Comment"');
  return new Set(rows.map((row) => row.text));
}

it('keeps every acknowledged comment, and keeps answering, when an instance is killed outright', async () => {
  const victim = servers[1]!;
  const answers = await writeLoad('kill', 240, 6, (answered) => {
    if (answered === 60) victim.child.kill('SIGKILL');
  });
  const acknowledged = answers.filter((answer) => answer.status === 201);
  const stored = await storedTexts();
  expect(acknowledged.length).toBeGreaterThan(200);
  for (const answer of acknowledged) expect(stored.has(answer.text)).toBe(true);
  // Only a request the killed instance had in hand can fail, and only as nginx's 502.
  expect(answers.filter((answer) => answer.status !== 201).every((answer) => answer.status === 502)).toBe(true);
  expect(answers.filter((answer) => answer.status === 502).length).toBeLessThanOrEqual(6);
  // The others answer everything after.
  expect(answers.slice(-60).every((answer) => answer.status === 201)).toBe(true);
});

it('serves kept pages while PostgreSQL is down, and gives a comment back as typed', async () => {
  const page = (server: RunningServer) => request(server.url).get(`/posts/${slug}`);
  const live = servers.filter((server) => server.child.exitCode === null && server.child.signalCode === null);
  // Kept on every instance, once the change notices of the writes before this test have come in.
  for (const server of live) expect((await page(server)).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  for (const server of live) expect((await page(server)).status).toBe(200);
  await cluster.stop();
  try {
    // Past the once-a-second look for other instances' changes, which finds the listener gone.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    for (const server of live) {
      const kept = await page(server);
      expect(kept.status).toBe(200);
      expect(kept.text).toContain('Leave a Reply');
    }
    const typed = 'Written while the database was away, and not to be lost.';
    const refused = await request(live[0]!.url)
      .post(`/posts/${slug}/comments`)
      .type('form')
      .send({ comment: typed, author: 'Patient', email: 'patient@example.com', url: '' });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.text).toContain('cannot reach its database');
    expect(refused.text).toMatch(new RegExp(`<textarea[^>]*name="comment"[^>]*>${typed}</textarea>`));
    expect(refused.text).toContain('value="Patient"');
  } finally {
    await cluster.start();
  }
});

it('answers 503 with Retry-After while PostgreSQL restarts, never a hang or an error page, and recovers by itself', async () => {
  let restarting: Promise<void> = Promise.resolve();
  const answers = await writeLoad('restart', 300, 4, (answered) => {
    if (answered === 40)
      restarting = (async () => {
        await cluster.stop();
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await cluster.start();
      })();
  });
  await restarting;
  const refused = answers.filter((answer) => answer.status !== 201);
  expect(refused.length).toBeGreaterThan(0);
  for (const answer of refused) {
    expect({ status: answer.status, retryAfter: answer.retryAfter }).toEqual({ status: 503, retryAfter: '5' });
    expect(answer.body).toContain('cannot reach its database');
    expect(answer.body).not.toMatch(/at \w+ \(|Prisma|127\.0\.0\.1/);
  }
  // Service came back without anyone restarting marginalia.
  const after = await writeLoad('after', 30, 3, () => undefined);
  expect(after.every((answer) => answer.status === 201)).toBe(true);
  const stored = await storedTexts();
  for (const answer of [...answers, ...after].filter((each) => each.status === 201))
    expect(stored.has(answer.text)).toBe(true);
});
