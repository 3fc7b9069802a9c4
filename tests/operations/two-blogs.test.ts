import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formBody } from '../helpers/html';
import { startServer, type RunningServer } from '../helpers/server-process';

// Two blogs started from one folder, each on its own database file: "side by side without sharing
// anything". A commenter's cookie from one must open nothing on the other, whether the secrets are
// generated (they belong to each database) or the same secret is configured for both (a signed
// cookie is bound to its site).

let dir: string;
const servers: RunningServer[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-two-blogs-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function twoBlogs(env: Record<string, string> = {}): Promise<[RunningServer, RunningServer]> {
  const a = await startServer(dir, { DATABASE_URL: 'file:./a.db', COMMENT_MIN_SECONDS: '0', ...env });
  const b = await startServer(dir, { DATABASE_URL: 'file:./b.db', COMMENT_MIN_SECONDS: '0', ...env });
  servers.push(a, b);
  return [a, b];
}

const demoSlug = 'welcome-to-the-margins';

/** Posts a comment on `server` as a new browser; its id and the own-comments cookie it was given. */
async function comment(server: RunningServer, text: string): Promise<{ id: number; cookie: string }> {
  const res = await fetch(`${server.url}/posts/${demoSlug}/comments`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody({ comment: text, author: 'Ira', email: 'ira@example.com' }),
  });
  expect(res.status).toBe(303);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { id: Number(/#comment-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]), cookie };
}

async function editFormStatus(server: RunningServer, id: number, cookie: string): Promise<number> {
  return (await fetch(`${server.url}/posts/${demoSlug}/comments/${id}/edit`, { headers: { cookie } })).status;
}

it('generates each blog’s own secrets, kept in its database: a cookie from one opens nothing on the other', async () => {
  const [a, b] = await twoBlogs();
  const onA = await comment(a, 'Written on blog A.');
  const onB = await comment(b, 'Written on blog B.');
  expect(onA.id).toBe(onB.id);
  expect(await editFormStatus(a, onA.id, onA.cookie)).toBe(200);
  expect(await editFormStatus(b, onB.id, onB.cookie)).toBe(200);
  expect(await editFormStatus(b, onB.id, onA.cookie)).toBe(403);
  // Nothing secret is written beside the databases.
  expect(readdirSync(dir).filter((name) => name.includes('secret'))).toEqual([]);
});

it('binds a signed cookie to its blog even when both are given the same COOKIE_SECRET', async () => {
  const secret = 'the-same-secret-for-two-blogs-0123456789';
  const [a, b] = await twoBlogs({ COOKIE_SECRET: secret, SESSION_SECRET: secret });
  const onA = await comment(a, 'Written on blog A.');
  const onB = await comment(b, 'Written on blog B.');
  expect(onA.id).toBe(onB.id);
  expect(await editFormStatus(b, onB.id, onA.cookie)).toBe(403);
  expect(await editFormStatus(b, onB.id, onB.cookie)).toBe(200);
});

it('keeps a blog’s cookies valid across a restart', async () => {
  const [a] = await twoBlogs();
  const onA = await comment(a, 'Before the restart.');
  await servers.shift()!.stop();
  const again = await startServer(dir, { DATABASE_URL: 'file:./a.db', COMMENT_MIN_SECONDS: '0' });
  servers.push(again);
  expect(await editFormStatus(again, onA.id, onA.cookie)).toBe(200);
});
