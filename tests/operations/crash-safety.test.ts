import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startServer, type RunningServer } from '../helpers/server-process';

// The crash test: comments are submitted to the real server, which is killed with SIGKILL at a
// random moment and started again; every comment it acknowledged must be there, identical, and
// the database must pass `PRAGMA integrity_check`. `npm run soak` runs the same test with many
// more rounds (SOAK_ROUNDS).

const rounds = Number(process.env.SOAK_ROUNDS ?? 10);
const writersPerRound = 8;

interface Acknowledged {
  id: number;
  text: string;
  author: string;
  email: string;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-crash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let sequence = 0;

/** Submits comments one after another until the server dies; returns those it acknowledged. */
async function submitUntilKilled(server: RunningServer, round: number, writer: number): Promise<Acknowledged[]> {
  const acknowledged: Acknowledged[] = [];
  for (;;) {
    sequence += 1;
    const sent = {
      text: `Crash round ${round}, writer ${writer}, comment ${sequence} ✓`,
      author: `Writer ${writer}`,
      email: `writer${writer}.${sequence}@example.com`,
    };
    const viaForm = sequence % 2 === 0;
    try {
      const res = viaForm
        ? await fetch(`${server.url}/posts/welcome-to-the-margins/comments`, {
            method: 'POST',
            redirect: 'manual',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ comment: sent.text, author: sent.author, email: sent.email }).toString(),
          })
        : await fetch(`${server.url}/api/posts/welcome-to-the-margins/comments`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ comment: sent.text, author: sent.author, email: sent.email }),
          });
      // Acknowledged: the form's 303 names the comment's anchor; the API's 201 returns it.
      if (viaForm && res.status === 303)
        acknowledged.push({ ...sent, id: Number(/#comment-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]) });
      else if (!viaForm && res.status === 201)
        acknowledged.push({ ...sent, id: ((await res.json()) as { comment: { id: number } }).comment.id });
      else throw new Error(`unexpected ${res.status}: ${await res.text()}`);
    } catch (error) {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return acknowledged;
      // A connection cut by the kill before the exit is seen ("fetch failed").
      if ((error as Error).name === 'TypeError') continue;
      throw error;
    }
  }
}

it(`keeps every acknowledged comment through ${rounds} SIGKILLs at random moments`, async () => {
  const databaseFile = path.join(dir, 'crash.db');
  const env = {
    DATABASE_URL: `file:${databaseFile}`,
    COMMENT_RATE_LIMIT: '1000000',
    COMMENT_FLOOD_SECONDS: '0',
    COMMENT_MIN_SECONDS: '0',
    MODERATION_MODE: 'approve',
  };
  const all: Acknowledged[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const server = await startServer(dir, env);
    const writers = Array.from({ length: writersPerRound }, (_, writer) => submitUntilKilled(server, round, writer));
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 450));
    server.child.kill('SIGKILL');
    for (const acknowledged of await Promise.all(writers)) all.push(...acknowledged);

    const db = new Database(databaseFile);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Map(
        (
          db.prepare('SELECT id, text, authorName AS author, authorEmail AS email FROM Comment').all() as Acknowledged[]
        ).map((row) => [row.id, row]),
      );
      const same = (a: Acknowledged, b: Acknowledged | undefined) =>
        !!b && a.text === b.text && a.author === b.author && a.email === b.email;
      const lost = all.filter((comment) => !same(comment, stored.get(comment.id)));
      expect(lost.map((comment) => ({ sent: comment, stored: stored.get(comment.id) }))).toEqual([]);
    } finally {
      db.close();
    }
  }
  // Every round acknowledged something before its kill, or the test proved little.
  expect(all.length).toBeGreaterThan(rounds);
  console.info(
    `crash test: ${rounds} SIGKILLs, ${all.length} acknowledged comments, all present and identical, integrity ok`,
  );
});
