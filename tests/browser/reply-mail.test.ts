import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { startServer, type RunningServer } from '../helpers/server-process';
import { recipientsOf, startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { launchBrowser, screenshotDir } from './browser';

// A commenter's journey with reply mail, in Debian's Chromium against the built server, its mail
// going to a real SMTP server in this process: tick the box, confirm from the mail's link, get a
// follow-up comment by mail, unsubscribe from its link.

const postPath = '/posts/welcome-to-the-margins';
const reader = { name: 'Noor Follower', email: 'noor@reader.example' };

let dir: string;
let smtp: TestSmtp;
let server: RunningServer;
let browser: Browser;
let page: Page;

/** A port free now, so the server's PUBLIC_URL can name it before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-browser-mail-'));
  smtp = await startTestSmtp();
  const port = await freePort();
  server = await startServer(dir, {
    DATABASE_URL: 'file:./blog.db',
    ...(moderatorEnv as Record<string, string>),
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SMTP_URL: smtp.url,
    MAIL_FROM: '"Margins" <comments@blog.example>',
    NOTIFY_INTERVAL_SECONDS: '1',
    COMMENT_FLOOD_SECONDS: '0',
    COMMENT_MIN_SECONDS: '0',
  });
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  mkdirSync(screenshotDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The first mail to `address` matching `subject`, once the server has sent it (it sends every second). */
async function mailTo(address: string, subject: RegExp) {
  for (let waited = 0; waited < 15_000; waited += 100) {
    const found = smtp.mails.find((mail) => recipientsOf(mail).includes(address) && subject.test(mail.subject ?? ''));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${address} matching ${subject}`);
}

const linkIn = (text: string, label: string) => new RegExp(`${label}: (http\\S+)`).exec(text)![1]!;

async function approve(id: number) {
  const res = await fetch(`${server.url}/admin/api/comments/${id}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'approved' }),
  });
  expect(res.status).toBe(200);
}

it('ticks the box, confirms from the mail, gets a follow-up by mail, and unsubscribes from it', async () => {
  await page.goto(`${server.url}${postPath}`);
  await page.fill('#comment', 'Following this conversation, please.');
  await page.fill('#author', reader.name);
  await page.fill('#email', reader.email);
  await page.check('#subscribe_comments');
  await page.screenshot({ path: path.join(screenshotDir, 'reply-mail-1-box-ticked.png'), fullPage: true });
  await page.click('#submit');
  await page.waitForURL(/#comment-\d+$/);
  // The subscription is asked for once the moderator publishes the comment.
  await approve(Number(/#comment-(\d+)$/.exec(page.url())![1]));

  const confirmation = await mailTo(reader.email, /^\[marginalia\] Confirm/);
  await page.goto(linkIn(confirmation.text!, 'Confirm that you want these mails'));
  expect(await page.textContent('h1')).toBe('Confirm your subscription');
  await page.click('button[type=submit]');
  expect(await page.textContent('h1')).toBe('Subscription confirmed');
  await page.screenshot({ path: path.join(screenshotDir, 'reply-mail-2-confirmed.png'), fullPage: true });

  // Someone else answers; the moderator approves it.
  const answer = await fetch(`${server.url}/api${postPath}/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ author: 'Omar', email: 'omar@example.com', comment: 'An answer for the followers.' }),
  });
  expect(answer.status).toBe(201);
  await approve(((await answer.json()) as { comment: { id: number } }).comment.id);
  const followUp = await mailTo(reader.email, /New comment on/);
  expect(followUp.text).toContain('Omar commented on');
  expect(followUp.text).not.toContain('omar@example.com');

  await page.goto(linkIn(followUp.text!, 'Unsubscribe'));
  expect(await page.textContent('h1')).toBe('Unsubscribe');
  await page.click('button[type=submit]');
  expect(await page.textContent('h1')).toBe('Unsubscribed');
  await page.screenshot({ path: path.join(screenshotDir, 'reply-mail-3-unsubscribed.png'), fullPage: true });
});
