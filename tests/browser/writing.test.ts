import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { asModerator, moderatorEnv, moderatorPassword } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';
import { launchBrowser, screenshotDir, seriousAccessibilityViolations } from './browser';

// The blogger's side, in Debian's Chromium: write a draft, preview it, schedule it, and see it
// appear when its time comes; and the public pages in dark mode. The app runs in this process
// (a real HTTP server on a temp database) so the test can move its clock instead of waiting.

// A 32 × 32 PNG: the one inside the site's own favicon.ico (after its 22-byte ICO header).
const png = readFileSync(path.resolve(__dirname, '..', '..', 'public', 'favicon.ico')).subarray(22);

let ctx: TestContext;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, TIME_ZONE: 'Europe/Lisbon', PAGE_CACHE: 'on' });
  await asModerator(ctx.app); // the demo-free blog gets its moderator
  server = createServer(ctx.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  mkdirSync(screenshotDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await ctx?.close();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${base}/admin/login`);
  await page.fill('#username', 'editor');
  await page.fill('#password', moderatorPassword);
  await page.click('button[type="submit"]');
  await page.waitForURL(`${base}/admin`);
}

it('writes a draft, previews it, schedules it, and sees it published when its time comes', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page);
  await page.goto(`${base}/admin/posts/new`);
  expect(await page.isChecked('#status-draft')).toBe(true);
  await page.fill('#title', 'Low tide at Cacilhas');
  await page.fill('#body', 'The river pulls back and the **mud flats** shine.\n\nA second paragraph.');
  // An image, uploaded from the editor: its line goes in where the cursor is, nothing typed lost.
  await page.focus('#body');
  await page.evaluate(() => {
    const body = document.getElementById('body') as HTMLTextAreaElement;
    const at = body.value.indexOf('A second');
    body.setSelectionRange(at, at);
  });
  await page.setInputFiles('#media-file', { name: 'mud-flats.png', mimeType: 'image/png', buffer: png });
  await page.fill('#media-alt', 'The mud flats at low tide');
  await page.click('#media-form button[type="submit"]');
  await page.waitForFunction(() => document.getElementById('media-status')?.textContent?.startsWith('Added'));
  const body = await page.inputValue('#body');
  expect(body).toMatch(
    /^The river pulls back and the \*\*mud flats\*\* shine\.\n\n!\[The mud flats at low tide\]\(\/media\/[0-9a-f]{16}\/mud-flats\.png\)\n\nA second paragraph\.$/,
  );
  await page.screenshot({ path: path.join(screenshotDir, 'writing-0-image-added.png'), fullPage: true });
  await page.click('button.submit');
  await page.waitForURL(/\/admin\/posts\/\d+\/edit$/);
  expect(await page.textContent('body')).toContain('Draft saved.');
  await page.screenshot({ path: path.join(screenshotDir, 'writing-1-draft-saved.png'), fullPage: true });

  // Not on the site yet; the preview shows it as it will look, to its owner.
  const reader = await (await browser.newContext()).newPage();
  expect((await reader.goto(`${base}/posts/low-tide-at-cacilhas`))!.status()).toBe(404);
  await page.click('.post-links a[href$="/preview"]');
  await page.waitForURL(/\/preview$/);
  expect(await page.textContent('.preview-banner')).toContain('this draft post is not published yet');
  expect(await page.innerHTML('.entry-content')).toContain('<strong>mud flats</strong>');
  expect(await page.evaluate(() => document.querySelector<HTMLImageElement>('.entry-content img')?.naturalWidth)).toBe(
    32,
  );
  await page.screenshot({ path: path.join(screenshotDir, 'writing-2-preview.png'), fullPage: true });

  // Scheduled for tomorrow at 09:00, Lisbon time.
  await page.goBack();
  const tomorrow = new Date(ctx.clock.now().getTime() + 24 * 3600 * 1000);
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Lisbon' }).format(tomorrow);
  await page.check('#status-scheduled');
  await page.fill('#publishAt', `${day}T09:00`);
  await page.click('button.submit');
  await page.waitForURL(/\/admin\/posts\/\d+\/edit$/);
  expect(await page.textContent('body')).toContain('Post scheduled.');
  await page.goto(`${base}/admin/posts`);
  expect(await page.textContent('.posts-table')).toContain('Scheduled');
  await page.screenshot({ path: path.join(screenshotDir, 'writing-3-scheduled.png'), fullPage: true });

  // The server's own timer publishes it once the clock passes that time.
  ctx.app.publisher.start(5);
  try {
    expect(await ctx.app.publisher.nextRun()).toBe(0);
    ctx.clock.advance(2 * 24 * 3600 * 1000);
    expect(await ctx.app.publisher.nextRun()).toBe(1);
  } finally {
    ctx.app.publisher.close();
  }
  await reader.goto(`${base}/`);
  expect(await reader.textContent('.post-list')).toContain('Low tide at Cacilhas');
  await reader.click('text=Low tide at Cacilhas');
  expect(await reader.textContent('h1.entry-title')).toBe('Low tide at Cacilhas');
  await reader.screenshot({ path: path.join(screenshotDir, 'writing-4-published.png'), fullPage: true });
});

it('answers a reader as the author, from the moderation queue', async () => {
  const reader = await (await browser.newContext()).newPage();
  await reader.goto(`${base}/posts/low-tide-at-cacilhas`);
  await reader.fill('#comment', 'How low does it go in spring?');
  await reader.fill('#author', 'Inês Reader');
  await reader.fill('#email', 'ines.reader@example.com');
  await reader.click('#submit');
  await reader.waitForURL(/#comment-\d+$/);
  expect(await reader.textContent('.comment-awaiting-moderation')).toContain('awaiting moderation');

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page);
  await page.goto(`${base}/admin/comments?status=pending`);
  await page.click('text=Approve and reply');
  await page.waitForURL(/\/reply\?/);
  expect(await page.textContent('label[for="comment"]')).toContain('(the post');
  await page.fill('#comment', 'Lowest at the spring tides, around the equinox.');
  await page.click('button.submit');
  await page.waitForURL(/\/admin\/comments/);
  expect(await page.textContent('.flash')).toContain('Your reply is published.');

  await reader.goto(`${base}/posts/low-tide-at-cacilhas`);
  const reply = reader.locator('li.bypostauthor');
  expect(await reply.locator('.author-badge').textContent()).toBe('Author');
  expect(await reply.locator('.comment-content').textContent()).toContain('around the equinox');
  expect(
    await reader.locator('li.comment', { hasText: 'How low does it go' }).first().getAttribute('class'),
  ).not.toContain('comment-pending');
  expect(await seriousAccessibilityViolations(reader)).toEqual([]);
  await reader.screenshot({ path: path.join(screenshotDir, 'writing-5-author-reply.png'), fullPage: true });

  // On the post page, the signed-in author (and only they) sees "Reply as the author", which
  // leads to the reply form and back to the post, at the new reply.
  expect(await reader.isVisible('.author-reply')).toBe(false);
  await page.goto(`${base}/posts/low-tide-at-cacilhas`);
  const asAuthor = page.locator('.author-reply a').first();
  expect(await asAuthor.isVisible()).toBe(true);
  await asAuthor.click();
  await page.waitForURL(/\/reply\?return=/);
  await page.fill('#comment', 'And the neap tides a week later.');
  await page.click('button.submit');
  await page.waitForURL(/\/posts\/low-tide-at-cacilhas(\?cpage=\d+)?#comment-\d+$/);
  expect(await page.textContent('.comment-list')).toContain('And the neap tides a week later.');
});

it('shows the public pages in dark mode at 390 and 1280 px, with nothing axe-core finds serious', async () => {
  for (const width of [390, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: 'dark' });
    const page = await context.newPage();
    for (const [name, address] of [
      ['home', '/'],
      ['post', '/posts/low-tide-at-cacilhas'],
    ] as const) {
      await page.goto(`${base}${address}`);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe('rgb(23, 21, 19)');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await page.screenshot({ path: path.join(screenshotDir, `dark-${name}-${width}.png`), fullPage: true });
    }
    await context.close();
  }
});
