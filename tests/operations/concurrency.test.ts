import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startServer } from '../helpers/server-process';

// 200 valid submissions at once to the real server (rate limit raised): every answer is a
// success or a refusal the rules intend, never a 5xx; the rows stored are exactly the successes,
// each with its own id.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-concurrency-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('200 concurrent submissions: no 5xx, stored rows equal the successes, ids unique', async () => {
  const databaseFile = path.join(dir, 'concurrent.db');
  const server = await startServer(dir, {
    DATABASE_URL: `file:${databaseFile}`,
    COMMENT_RATE_LIMIT: '1000',
    COMMENT_FLOOD_SECONDS: '0',
    COMMENT_MIN_SECONDS: '0',
  });
  const started = Date.now();
  let answers: { status: number; id: number | null; text: string }[];
  try {
    answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const text = `Concurrent comment ${i}`;
        const fields = { comment: text, author: `Crowd ${i}`, email: `crowd${i}@example.com` };
        if (i % 2 === 0) {
          const res = await fetch(`${server.url}/api/posts/welcome-to-the-margins/comments`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(fields),
          });
          return {
            status: res.status,
            id: res.status === 201 ? ((await res.json()) as { comment: { id: number } }).comment.id : null,
            text,
          };
        }
        const res = await fetch(`${server.url}/posts/welcome-to-the-margins/comments`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        });
        return {
          status: res.status,
          id: res.status === 303 ? Number(/#comment-(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]) : null,
          text,
        };
      }),
    );
  } finally {
    expect(await server.stop()).toBe(0);
  }
  const elapsed = Date.now() - started;
  const statuses = answers.map((answer) => answer.status);
  expect(statuses.filter((status) => status >= 500)).toEqual([]);
  expect(statuses.every((status) => [201, 303].includes(status) || (status >= 400 && status < 500))).toBe(true);
  const successes = answers.filter((answer) => answer.id !== null);
  expect(successes.length).toBe(200);
  expect(new Set(successes.map((answer) => answer.id)).size).toBe(successes.length);

  const db = new Database(databaseFile, { readonly: true });
  const rows = db.prepare("SELECT id, text FROM Comment WHERE text LIKE 'Concurrent comment %'").all() as {
    id: number;
    text: string;
  }[];
  db.close();
  expect(rows.length).toBe(successes.length);
  expect(new Map(rows.map((row) => [row.id, row.text]))).toEqual(
    new Map(successes.map((answer) => [answer.id, answer.text])),
  );
  console.info(`concurrency: 200 submissions at once, ${successes.length} stored, 0 5xx, ${elapsed} ms`);
});
