import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startServer } from '../helpers/server-process';

// SIGTERM: stop accepting connections, let every request in flight finish with its response,
// close the database, exit 0, all within a bounded time.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-shutdown-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a JSON comment POST and sends only the first half of its body; `finish` sends the rest and resolves with the answer. */
function halfSentComment(url: string, text: string) {
  const body = Buffer.from(JSON.stringify({ comment: text, author: 'Slow Sam', email: 'sam@example.com' }));
  const req = httpRequest(`${url}/api/posts/welcome-to-the-margins/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let data = '';
      res.on('data', (chunk: Buffer) => (data += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.subarray(0, half));
  return {
    finish: () => {
      req.end(body.subarray(half));
      return answer;
    },
  };
}

it('on SIGTERM finishes the request in flight, refuses new connections, closes the database and exits 0', async () => {
  const databaseFile = path.join(dir, 'blog.db');
  const server = await startServer(dir, { DATABASE_URL: `file:${databaseFile}` });
  // An idle keep-alive connection must not hold the shutdown up.
  const keepAlive = new Agent({ keepAlive: true });
  await new Promise<void>((resolve) =>
    httpRequest(`${server.url}/healthz`, { agent: keepAlive }, (res) => res.resume().on('end', resolve)).end(),
  );

  const inFlight = halfSentComment(server.url, 'Sent while the server was stopping');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  server.child.kill('SIGTERM');
  // New connections are refused once the signal has been handled (polled: a loaded machine may be slow to deliver it).
  let refused = false;
  for (let attempt = 0; attempt < 60 && !refused; attempt += 1) {
    refused = await fetch(`${server.url}/healthz`).then(
      () => false,
      () => true,
    );
    if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(refused).toBe(true);

  const answer = await inFlight.finish();
  expect(answer.status).toBe(201);
  const exitCode = await new Promise<number | null>((resolve) =>
    server.child.exitCode !== null ? resolve(server.child.exitCode) : server.child.on('exit', resolve),
  );
  expect(exitCode).toBe(0);
  // Well inside the keep-alive timeout (5 s) an idle connection could otherwise hold it for.
  expect(Date.now() - started).toBeLessThan(3000);
  expect(server.output()).toContain('shutting down: finishing requests in flight');
  expect(server.output()).toContain('"msg":"stopped"');
  keepAlive.destroy();

  const db = new Database(databaseFile, { readonly: true });
  expect(db.prepare('SELECT authorName FROM Comment WHERE text = ?').get('Sent while the server was stopping')).toEqual(
    { authorName: 'Slow Sam' },
  );
  db.close();
});
