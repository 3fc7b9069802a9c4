import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { startServer, type RunningServer } from '../helpers/server-process';
import { launchBrowser, screenshotDir, seriousAccessibilityViolations } from './browser';

// A static site's page embedding a thread (issue 23), in Debian's Chromium with third-party
// cookies blocked (--test-third-party-cookie-phaseout). The comment server is
// http://localhost:<port>; the static site is another site, http://127.0.0.1:<port> (allowed),
// and http://127.0.0.2:<same port> plays a site that is not allowed. The static pages send a
// strict Content-Security-Policy naming the comment server once for each kind of request.
// The scenarios run in order and build on each other.

let dir: string;
let server: RunningServer;
let staticSite: Server;
let browser: Browser;
let commentServer: string;
let allowedSite: string;
let otherSite: string;

/** The static site: a post with the placeholder, a list with counts, and hostile variants. */
function staticPage(pathname: string): { status: number; html: string } {
  const script = `<script src="${commentServer}/embed.js" defer></script>`;
  const thread = (attrs: string) =>
    `<div id="marginalia-thread"${attrs}><a class="no-js" href="${commentServer}/embed/thread?url=${encodeURIComponent(`${allowedSite}/posts/lisbon/`)}">Read the comments</a></div>`;
  const page = (title: string, head: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>${head}</head><body><main><h1>${title}</h1><p>Trams, tiles and custard tarts.</p>${body}</main></body></html>`;
  switch (pathname) {
    case '/posts/lisbon/':
      return {
        status: 200,
        html: page('A week in Lisbon', '', `${thread(' data-page-title="A week in Lisbon"')}${script}`),
      };
    case '/hostile/':
      // The same thread under CSS that resets everything, with huge type on a dark page.
      return {
        status: 200,
        html: page(
          'Hostile',
          '<style>* { all: unset !important } html { display: block !important; font-size: 40px !important; background: #101010 !important } body, main, div { display: block !important }</style>',
          `${thread(` data-page-url="${allowedSite}/posts/lisbon/"`)}${script}`,
        ),
      };
    case '/':
      return {
        status: 200,
        html: page(
          'Posts',
          '',
          `<ul><li><a href="/posts/lisbon/">A week in Lisbon</a> · <a href="/posts/lisbon/#marginalia-thread" data-marginalia-count>Comments</a></li><li><a href="/posts/porto/">Porto</a> · <a href="/posts/porto/#marginalia-thread" data-marginalia-count>Comments</a></li></ul>${script}`,
        ),
      };
    default:
      return { status: 404, html: page('Not found', '', '') };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-browser-embed-'));
  staticSite = createServer((req, res) => {
    const { status, html } = staticPage(new URL(req.url ?? '/', 'http://x').pathname);
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      // A host as strict as can be: the comment server named once for scripts, frames and fetches.
      'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; script-src ${commentServer}; frame-src ${commentServer}; connect-src ${commentServer}`,
    });
    res.end(html);
  });
  await new Promise<void>((resolve) => staticSite.listen(0, resolve));
  const port = (staticSite.address() as AddressInfo).port;
  allowedSite = `http://127.0.0.1:${port}`;
  otherSite = `http://127.0.0.2:${port}`;
  server = await startServer(dir, {
    DATABASE_URL: 'file:./blog.db',
    ...(moderatorEnv as Record<string, string>),
    COMMENT_FLOOD_SECONDS: '0',
    COMMENT_MIN_SECONDS: '0',
    COMMENT_RATE_LIMIT: '100',
    EMBED_ORIGINS: allowedSite,
  });
  // localhost, not 127.0.0.1: another site than the static one, and a secure context.
  commentServer = server.url.replace('127.0.0.1', 'localhost');
  browser = await launchBrowser(['--test-third-party-cookie-phaseout']);
  mkdirSync(screenshotDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => staticSite?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const api = (pathname: string, init: RequestInit = {}) =>
  fetch(`${server.url}${pathname}`, {
    ...init,
    headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json', ...init.headers },
  });

async function embedThreads(): Promise<{ id: number; title: string }[]> {
  const res = await api('/admin/api/posts?kind=embed');
  const body = (await res.json()) as { posts: { id: number; title: string; kind: string }[] };
  return body.posts.filter((post) => post.kind === 'embed');
}

/** A new reader: a context of its own (its own cookies), at the given width. */
async function reader(width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  return { context, page: await context.newPage() };
}

/** The thread's frame once it has shown itself. */
async function threadFrame(page: Page): Promise<Frame> {
  const element = page.locator('#marginalia-thread iframe');
  await element.waitFor({ state: 'visible' });
  const frame = await (await element.elementHandle()).contentFrame();
  await frame!.waitForSelector('#commentform');
  return frame!;
}

/**
 * A screenshot of the whole page: the viewport made as tall as the page first (Chromium leaves a
 * frame of another site blank below the viewport in a full-page shot).
 */
async function screenshot(page: Page, name: string) {
  const width = page.viewportSize()!.width;
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width, height });
  await page.screenshot({ path: path.join(screenshotDir, name), fullPage: true });
  await page.setViewportSize({ width, height: 900 });
}

/** Submits the frame's form and waits for the frame to come back on a comment. */
async function submit(frame: Frame) {
  const before = frame.url();
  await Promise.all([
    frame.waitForURL((url) => url.href !== before && /#comment-\d+$/.test(url.href)),
    frame.click('#submit'),
  ]);
  return Number(/#comment-(\d+)$/.exec(frame.url())![1]);
}

let approvedId: number;
let ownId: number;

it('1. third-party cookies are blocked in this browser, partitioned ones are kept', async () => {
  const { context, page } = await reader();
  await page.goto(`${allowedSite}/posts/lisbon/`);
  const frame = await threadFrame(page);
  const jar = await frame.evaluate(() => {
    document.cookie = 'plain_probe=1; SameSite=None; Secure; Path=/';
    document.cookie = 'partitioned_probe=1; SameSite=None; Secure; Partitioned; Path=/';
    return document.cookie;
  });
  expect(jar).not.toContain('plain_probe');
  expect(jar).toContain('partitioned_probe');
  await context.close();
});

it('2. a commenter is refused with the error inline, then posts; the first comment makes the thread', async () => {
  expect(await embedThreads()).toHaveLength(0);
  const { context, page } = await reader(390);
  await page.goto(`${allowedSite}/posts/lisbon/`);
  let frame = await threadFrame(page);
  // The placeholder's link for readers without JavaScript gave way to the thread.
  expect(await page.locator('a.no-js').isVisible()).toBe(false);
  await frame.fill('#comment', 'The tiles at the station deserve a post of their own.');
  await frame.fill('#author', 'Inês');
  // Stopped by the browser first, then (its checks off) by the server, with the error inline.
  await frame.click('#submit');
  expect(await frame.evaluate(() => (document.getElementById('email') as HTMLInputElement).validity.valueMissing)).toBe(
    true,
  );
  await frame.evaluate(() => ((document.getElementById('commentform') as HTMLFormElement).noValidate = true));
  await Promise.all([frame.waitForNavigation(), frame.click('#submit')]);
  frame = await threadFrame(page);
  expect(await frame.locator('#email-error').innerText()).toBe(
    'Please enter your email address. It will not be published.',
  );
  // The summary has the focus (browsers do not autofocus in another site's frame: its script does).
  await frame.waitForFunction(() => document.activeElement?.id === 'form-error-summary');
  expect(await frame.inputValue('#comment')).toBe('The tiles at the station deserve a post of their own.');
  expect(await embedThreads()).toHaveLength(0);
  await frame.fill('#email', 'ines@example.org');
  approvedId = await submit(frame);
  const [thread] = await embedThreads();
  expect(thread!.title).toBe('A week in Lisbon');
  // Seen by its author alone while it waits.
  expect(await frame.locator(`#comment-${approvedId}`).innerText()).toContain('awaiting moderation');
  await screenshot(page, 'embed-posted-390.png');
  await context.close();
  const res = await api(`/admin/api/comments/${approvedId}`, {
    method: 'PATCH',
    body: JSON.stringify({ status: 'approved' }),
  });
  expect(res.status).toBe(200);
});

let commenter: { context: BrowserContext; page: Page };

it('3. a reader sees the approved comment; a commenter posts, sees it held, edits it, and replies', async () => {
  commenter = await reader();
  const { page } = commenter;
  await page.goto(`${allowedSite}/posts/lisbon/`);
  let frame = await threadFrame(page);
  expect(await frame.locator(`#comment-${approvedId}`).innerText()).toContain('The tiles at the station');
  expect(await frame.locator(`#comment-${approvedId}`).innerText()).not.toContain('ines@example.org');
  // The frame is as tall as the thread: nothing scrolls inside it.
  expect(await frame.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1)).toBe(true);

  await frame.fill('#comment', 'Did you try the custard tarts in Belém?');
  await frame.fill('#author', 'Rui');
  await frame.fill('#email', 'rui@example.org');
  ownId = await submit(frame);
  frame = await threadFrame(page);
  const own = frame.locator(`#comment-${ownId}`);
  expect(await own.innerText()).toContain('awaiting moderation');
  // Its page in the frame was scrolled into view on the host page.
  await page.waitForFunction(() => window.scrollY > 0);

  await Promise.all([frame.waitForURL(/\/edit$/), own.locator('text=Edit your comment').click()]);
  await frame.fill('#comment', 'Did you try the custard tarts in Belém? Worth the queue.');
  await Promise.all([frame.waitForURL(/#comment-\d+$/), frame.click('button:has-text("Save")')]);
  frame = await threadFrame(page);
  expect(await frame.locator(`#comment-${ownId}`).innerText()).toContain('Worth the queue.');

  await frame.click(`#comment-${approvedId} .comment-reply-link`);
  await frame.fill('#comment', 'Agreed about the tiles.');
  await frame.fill('#author', 'Rui');
  await frame.fill('#email', 'rui@example.org');
  const replyId = await submit(frame);
  frame = await threadFrame(page);
  expect(await frame.locator(`#comment-${approvedId} .children #comment-${replyId}`).count()).toBe(1);
  await screenshot(page, 'embed-commenter-1280.png');
  // The moderator approves both.
  for (const id of [ownId, replyId]) {
    const res = await api(`/admin/api/comments/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: 'approved' }),
    });
    expect(res.status).toBe(200);
  }
});

it('4. a second reader sees them, counts are filled in, and the thread is axe clean', async () => {
  const { context, page } = await reader(390);
  await page.goto(`${allowedSite}/posts/lisbon/`);
  const frame = await threadFrame(page);
  const text = await frame.locator('.comment-list').innerText();
  expect(text).toContain('Worth the queue.');
  expect(text).toContain('Agreed about the tiles.');
  expect(await frame.locator('.comment-awaiting-moderation').count()).toBe(0);
  expect(await seriousAccessibilityViolations(frame)).toEqual([]);
  await screenshot(page, 'embed-reader-390.png');

  await page.goto(`${allowedSite}/`);
  await page.waitForFunction(() => document.querySelector('[data-marginalia-count]')?.textContent !== 'Comments');
  const counts = await page.locator('[data-marginalia-count]').allInnerTexts();
  expect(counts).toEqual(['3 comments', 'No comments yet']);
  await context.close();
});

it('5. CSS that resets everything does not break it, and it follows the dark page', async () => {
  const { context, page } = await reader(1280);
  await page.goto(`${allowedSite}/hostile/`);
  const frame = await threadFrame(page);
  const box = (await page.locator('#marginalia-thread iframe').boundingBox())!;
  expect(box.width).toBeGreaterThan(600);
  expect(box.height).toBeGreaterThan(300);
  expect(await frame.evaluate(() => document.documentElement.getAttribute('data-scheme'))).toBe('dark');
  // The host's 40px type stays outside: the thread keeps its own.
  expect(await frame.evaluate(() => getComputedStyle(document.body).fontSize)).not.toBe('40px');
  expect(await frame.locator('#comment').isVisible()).toBe(true);
  expect(await seriousAccessibilityViolations(frame)).toEqual([]);
  await screenshot(page, 'embed-hostile-1280.png');
  await context.close();
});

it('6. a page on a site that is not allowed shows nothing and makes nothing', async () => {
  const before = await embedThreads();
  const { context, page } = await reader();
  await page.goto(`${otherSite}/posts/lisbon/`);
  // The frame loads refused, never saying the thread is there: it stays hidden, and the
  // placeholder keeps its link.
  await page.waitForSelector('#marginalia-thread[data-marginalia="unavailable"]', { state: 'attached' });
  expect(await page.locator('#marginalia-thread iframe').isVisible()).toBe(false);
  expect(await page.locator('a.no-js').isVisible()).toBe(true);
  expect(await embedThreads()).toEqual(before);
  await context.close();
  await commenter.context.close();
});
