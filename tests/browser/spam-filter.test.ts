import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { apiToken, moderatorEnv, moderatorPassword } from '../helpers/moderator';
import { startServer, type RunningServer } from '../helpers/server-process';
import { launchBrowser, screenshotDir, seriousAccessibilityViolations } from './browser';

// The spam filter as the moderator meets it, in Debian's Chromium against the built server: a
// model trained through the admin API, then a spam comment in the queue with its verdict, score
// and the tokens that weighed, and the settings page that says how far it has learned.

interface GeneratedComment {
  name: string;
  url: string | null;
  text: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bench's generator is plain CommonJS
const { createCommentGenerator } = require(path.join(__dirname, '..', '..', 'bench', 'comment-generator.cjs')) as {
  createCommentGenerator: (seed?: number) => { legitimate(): GeneratedComment; spam(): GeneratedComment };
};

const postSlug = 'welcome-to-the-margins';
const auth = { Authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' };
let dir: string;
let server: RunningServer;
let browser: Browser;
let page: Page;
let sent = 0;

const url = (pathname: string) => `${server.url}${pathname}`;

async function send(comment: GeneratedComment): Promise<number> {
  sent += 1;
  const res = await fetch(url(`/api/posts/${postSlug}/comments`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      author: comment.name,
      email: `c${sent}@example.com`,
      url: comment.url ?? '',
      comment: comment.text,
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { comment: { id: number } }).comment.id;
}

async function decide(ids: number[], status: string) {
  const res = await fetch(url('/admin/api/comments/bulk'), {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ ids, status }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-browser-spam-'));
  server = await startServer(dir, {
    DATABASE_URL: 'file:./blog.db',
    ...(moderatorEnv as Record<string, string>),
    COMMENT_FLOOD_SECONDS: '0',
    COMMENT_MIN_SECONDS: '0',
    COMMENT_RATE_LIMIT: '1000',
  });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  mkdirSync(screenshotDir, { recursive: true });
  const generate = createCommentGenerator(5);
  const spam: number[] = [];
  const ham: number[] = [];
  for (let i = 0; i < 50; i += 1) {
    spam.push(await send(generate.spam()));
    ham.push(await send(generate.legitimate()));
  }
  await decide(spam, 'spam');
  await decide(ham, 'approved');
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('shows the moderator a spam comment’s verdict, score and reasons, at desktop and phone widths', async () => {
  const id = await send({
    name: 'Replica Outlet',
    url: 'https://cheap-replica.shop/',
    text: 'Great post! Buy cheap replica watches https://cheap-replica.shop/deal',
  });
  await page.goto(url('/admin/login'));
  await page.fill('#username', 'editor');
  await page.fill('#password', moderatorPassword);
  await Promise.all([page.waitForURL(url('/admin')), page.click('button[type=submit]')]);
  await page.goto(url('/admin/comments?status=spam'));
  const row = page.locator(`#admin-comment-${id}`);
  expect(await row.locator('.spam-score').textContent()).toMatch(/^Spam filter: spam \(score (0\.9\d|1\.00)\)$/);
  expect(await row.locator('.spam-reasons li').first().isVisible()).toBe(false);
  await row.getByText('Why this score').click();
  const reasons = await row.locator('.spam-reasons li').allTextContents();
  expect(reasons.length).toBeGreaterThan(0);
  expect(reasons.join(' ')).toMatch(/link:cheap-replica\.shop spam [>\d. ]+ %/);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  await row.screenshot({ path: path.join(screenshotDir, 'spam-filter-queue-desktop.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  // On a phone the reasons stay within the screen.
  const box = await row.locator('.spam-reasons').boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await row.screenshot({ path: path.join(screenshotDir, 'spam-filter-queue-phone.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
});

it('says on the settings page how far it has learned, and switches off', async () => {
  await page.goto(url('/admin/settings'));
  const hint = await page.locator('fieldset:has(legend:text("Spam filter")) .hint').textContent();
  expect(hint).toContain('It has learned from 50 spam and 50 legitimate comments.');
  expect(hint).toContain('A comment it scores 0.9 or more goes to spam');
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  await page.check('#spamFilter-off');
  await Promise.all([
    page.waitForURL(url('/admin/settings')),
    page.getByRole('button', { name: 'Save settings' }).click(),
  ]);
  expect(await page.isChecked('#spamFilter-off')).toBe(true);
  expect(await page.locator('fieldset:has(legend:text("Spam filter")) .hint').textContent()).toContain(
    'It is off: new comments are not scored',
  );
  await page.screenshot({ path: path.join(screenshotDir, 'spam-filter-settings.png'), fullPage: true });
});
