import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../helpers/server-process';
import { recipientsOf, startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { freshDatabaseUrl, removeDatabase } from '../helpers/test-database';

// A comment acknowledged, then the server killed (SIGKILL) before its mail went out: the mail's
// event was written with the comment, so the server started again sends it.

let dir: string;
let databaseUrl: string;
let smtp: TestSmtp;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-mail-crash-'));
  databaseUrl = await freshDatabaseUrl(dir);
  smtp = await startTestSmtp();
});
afterAll(async () => {
  await smtp.stop();
  await removeDatabase(databaseUrl);
  rmSync(dir, { recursive: true, force: true });
});

it('sends the mail of a comment acknowledged just before a kill -9, once the server is back', async () => {
  const env = {
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: 'https://blog.example',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'comments@blog.example',
    MODERATOR_EMAIL: 'editor@blog.example',
    COMMENT_MIN_SECONDS: '0',
  };
  // The first server looks at its outbox when it starts, then not for an hour: it dies first.
  const first = await startServer(dir, { ...env, NOTIFY_INTERVAL_SECONDS: '3600' });
  expect(first.output()).toContain('Mail is on: one moderator hears of new comments.');
  const res = await fetch(`${first.url}/api/posts/welcome-to-the-margins/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      comment: 'Acknowledged, then the lights went out.',
      author: 'Ida',
      email: 'ida@example.com',
    }),
  });
  expect(res.status).toBe(201);
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  expect(smtp.mails).toHaveLength(0);

  const second = await startServer(dir, env);
  try {
    for (let waited = 0; smtp.mails.length === 0 && waited < 15_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(smtp.mails.map(recipientsOf)).toEqual([['editor@blog.example']]);
    expect(smtp.mails[0]!.text).toContain('Acknowledged, then the lights went out.');
  } finally {
    await second.stop();
  }
  expect(smtp.mails).toHaveLength(1);
}, 60_000);

it('says at start that mail is off, and which settings it needs', async () => {
  const server = await startServer(dir, { DATABASE_URL: databaseUrl, SMTP_URL: smtp.url });
  try {
    // Half set up (a mail server but no address for links): a warning.
    expect(server.output()).toMatch(/"level":40[^\n]*Mail is off: set PUBLIC_URL, MAIL_FROM/);
  } finally {
    await server.stop();
  }
});
