import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runServerToExit, startServer } from './helpers/server-process';

// The built server as `npm start` runs it: a real process, a real port, a real database file.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-server-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('creates, migrates and seeds its database, and two servers run side by side', async () => {
  const first = await startServer(dir, { DATABASE_URL: 'file:./one/blog.db' });
  const second = await startServer(dir, { DATABASE_URL: 'file:./two/blog.db', DISPLAY_NAME: 'Marta Ribeiro' });
  try {
    expect(first.port).not.toBe(second.port);
    expect(existsSync(path.join(dir, 'one', 'blog.db'))).toBe(true);
    expect(existsSync(path.join(dir, 'two', 'blog.db'))).toBe(true);
    expect(first.output()).toContain('"journalMode":"wal"');
    expect(first.output()).toContain('The admin area is not set up yet.');

    const home = await fetch(`${first.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Welcome to the margins');

    const posted = await fetch(`${first.url}/api/posts/welcome-to-the-margins/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ comment: 'Only on the first server', author: 'Fay', email: 'fay@example.com' }),
    });
    expect(posted.status).toBe(201);
    const id = ((await posted.json()) as { comment: { id: number } }).comment.id;
    expect(id).toBe(1);
    const secondPost = await fetch(`${second.url}/api/posts/welcome-to-the-margins/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ comment: 'Only on the second server', author: 'Gus', email: 'gus@example.com' }),
    });
    expect(((await secondPost.json()) as { comment: { id: number } }).comment.id).toBe(1);
    // The demo post is signed with the owner's name when one is set.
    expect(await (await fetch(`${first.url}/posts/welcome-to-the-margins`)).text()).toContain('The editor');
    expect(await (await fetch(`${second.url}/posts/welcome-to-the-margins`)).text()).toContain(
      '<span class="author">Marta Ribeiro</span>',
    );
  } finally {
    expect(await first.stop()).toBe(0);
    expect(await second.stop()).toBe(0);
  }
});

it('keeps its data and does not add a second demo post across restarts', async () => {
  const env = { DATABASE_URL: `file:${path.join(dir, 'restart.db')}` };
  const first = await startServer(dir, env);
  expect(first.output()).toContain('added a demo post');
  expect(await first.stop()).toBe(0);
  const again = await startServer(dir, env);
  try {
    expect(again.output()).not.toContain('added a demo post');
    const html = await (await fetch(`${again.url}/`)).text();
    expect(html.match(/Welcome to the margins/g)).toHaveLength(1);
  } finally {
    await again.stop();
  }
});

it('stops with one clear line naming a bad variable', async () => {
  const result = await runServerToExit(dir, { PORT: 'eighty' });
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toBe(
    'Invalid configuration: PORT must be a whole number between 0 and 65535 (got "eighty")',
  );
});

it('reads an optional .env file in its working folder; real environment variables win', async () => {
  writeFileSync(
    path.join(dir, '.env'),
    'SITE_TITLE="From the env file"\nSITE_TAGLINE=file tagline\nDATABASE_URL=file:./dotenv.db\n',
  );
  const server = await startServer(dir, { SITE_TAGLINE: 'environment tagline' });
  try {
    const html = await (await fetch(`${server.url}/`)).text();
    expect(html).toContain('<a href="/" rel="home">From the env file</a>');
    expect(html).toContain('environment tagline');
    expect(existsSync(path.join(dir, 'dotenv.db'))).toBe(true);
  } finally {
    await server.stop();
  }
});
