import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiToken, moderatorEnv, moderatorPassword } from '../helpers/moderator';
import { startServer, type RunningServer } from '../helpers/server-process';
import { launchBrowser, screenshotDir, seriousAccessibilityViolations } from './browser';

// The reader's, the commenter's and the moderator's day, in Debian's Chromium against the built
// server on a temp SQLite file. The scenarios run in order and build on each other (the comment
// posted in 3 is approved in 4 and answered in 5), like one person's day on the site.

const postTitle = 'Welcome to the margins';
const postPath = '/posts/welcome-to-the-margins';
const commenter = {
  name: 'Ada Reader',
  email: 'ada.browser@example.com',
  text: 'A first comment, typed in a real browser.',
};

let dir: string;
let server: RunningServer;
let browser: Browser;
let commenterContext: BrowserContext;
let commenterPage: Page;
let strangerPage: Page;
let commentId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-browser-'));
  server = await startServer(dir, {
    DATABASE_URL: 'file:./blog.db',
    ...(moderatorEnv as Record<string, string>),
    COMMENT_FLOOD_SECONDS: '0',
    COMMENT_RATE_LIMIT: '100',
  });
  browser = await launchBrowser();
  commenterContext = await browser.newContext();
  commenterPage = await commenterContext.newPage();
  strangerPage = await (await browser.newContext()).newPage();
  mkdirSync(screenshotDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const url = (pathname: string) => `${server.url}${pathname}`;
const activeElementId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

async function fillComment(page: Page, fields: { text?: string; name?: string; email?: string; website?: string }) {
  if (fields.text !== undefined) await page.fill('#comment', fields.text);
  if (fields.name !== undefined) await page.fill('#author', fields.name);
  if (fields.email !== undefined) await page.fill('#email', fields.email);
  if (fields.website !== undefined) await page.fill('#url', fields.website);
}

/** Approves a comment through the admin API (the moderator's own flow is scenario 4). */
async function approve(id: string) {
  const res = await fetch(url(`/admin/api/comments/${id}`), {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'approved' }),
  });
  expect(res.status).toBe(200);
}

it('1. a reader opens the home page, follows a post, and the skip link moves focus to the article', async () => {
  await strangerPage.goto(url('/'));
  await strangerPage.click(`text=${postTitle}`);
  expect(new URL(strangerPage.url()).pathname).toBe(postPath);
  expect(await strangerPage.textContent('#comments-title')).toBe('Be First to Comment');
  await strangerPage.keyboard.press('Tab');
  expect(await strangerPage.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
  await strangerPage.keyboard.press('Enter');
  expect(await activeElementId(strangerPage)).toBe('content');
});

it('2. an empty or malformed form is stopped by the browser, then by the server with messages and input kept', async () => {
  await commenterPage.goto(url(postPath));
  await commenterPage.click('#submit');
  expect(
    await commenterPage.evaluate(
      () => (document.getElementById('comment') as HTMLTextAreaElement).validity.valueMissing,
    ),
  ).toBe(true);
  expect(await commenterPage.$('#form-error-summary')).toBeNull();

  await fillComment(commenterPage, { name: commenter.name });
  await commenterPage.evaluate(() => ((document.getElementById('commentform') as HTMLFormElement).noValidate = true));
  await Promise.all([commenterPage.waitForNavigation(), commenterPage.click('#submit')]);
  expect(await commenterPage.textContent('#comment-error')).toBe('Please type your comment.');
  expect(await commenterPage.textContent('#email-error')).toBe(
    'Please enter your email address. It will not be published.',
  );
  expect(await activeElementId(commenterPage)).toBe('form-error-summary');
  expect(await commenterPage.inputValue('#author')).toBe(commenter.name);
  await commenterPage.screenshot({ path: path.join(screenshotDir, 'form-errors.png'), fullPage: true });
  expect(await seriousAccessibilityViolations(commenterPage)).toEqual([]);

  await fillComment(commenterPage, { text: 'Kept through a bad address', email: 'ada-at-example' });
  await commenterPage.evaluate(() => ((document.getElementById('commentform') as HTMLFormElement).noValidate = true));
  await Promise.all([commenterPage.waitForNavigation(), commenterPage.click('#submit')]);
  expect(await commenterPage.textContent('#email-error')).toBe(
    'Please enter a valid email address, like name@example.com.',
  );
  expect(await commenterPage.inputValue('#comment')).toBe('Kept through a bad address');
  expect(await commenterPage.inputValue('#email')).toBe('ada-at-example');
});

it('3. a valid comment lands on itself, awaiting moderation, seen by its author only', async () => {
  await commenterPage.goto(url(postPath));
  await fillComment(commenterPage, { ...commenter });
  await Promise.all([commenterPage.waitForNavigation(), commenterPage.click('#submit')]);
  const hash = new URL(commenterPage.url()).hash;
  expect(hash).toMatch(/^#comment-\d+$/);
  commentId = hash.slice('#comment-'.length);
  expect(await commenterPage.textContent(`${hash} .comment-awaiting-moderation`)).toBe(
    'Your comment is awaiting moderation.',
  );
  expect(await commenterPage.isVisible(`${hash} .comment-content`)).toBe(true);

  await strangerPage.goto(url(postPath));
  expect(await strangerPage.content()).not.toContain(commenter.text);
});

it('4. the moderator signs in and approves it; everyone sees it, and no page shows the email', async () => {
  const moderatorPage = await (await browser.newContext()).newPage();
  await moderatorPage.goto(url('/admin'));
  expect(new URL(moderatorPage.url()).pathname).toBe('/admin/login');
  expect(await seriousAccessibilityViolations(moderatorPage)).toEqual([]);
  await moderatorPage.fill('#username', 'editor');
  await moderatorPage.fill('#password', moderatorPassword);
  await Promise.all([moderatorPage.waitForNavigation(), moderatorPage.click('button[type=submit]')]);
  expect(new URL(moderatorPage.url()).pathname).toBe('/admin');
  expect(await moderatorPage.content()).toContain(commenter.email);

  await moderatorPage.goto(url('/admin/comments?status=pending'));
  expect(await seriousAccessibilityViolations(moderatorPage)).toEqual([]);
  await moderatorPage.screenshot({ path: path.join(screenshotDir, 'admin-queue.png'), fullPage: true });
  await Promise.all([moderatorPage.waitForNavigation(), moderatorPage.click(`button[value="approve:${commentId}"]`)]);
  expect(await moderatorPage.textContent('.flash')).toBe('1 comment approved.');

  for (const page of [commenterPage, strangerPage]) {
    await page.goto(url(postPath));
    expect(await page.textContent('#comments-title')).toBe(`1 Comment on “${postTitle}”`);
    expect(await page.textContent(`#comment-${commentId} .comment-content`)).toContain(commenter.text);
  }
  expect(await strangerPage.content()).not.toContain(commenter.email);
  expect(await (await fetch(url(postPath))).text()).not.toContain(commenter.email);
  await moderatorPage.context().close();
});

it('5. Reply moves the form with JavaScript and reloads without it; the reply shows nested', async () => {
  await strangerPage.goto(url(postPath));
  await strangerPage.click(`#comment-${commentId} .comment-reply-link`);
  expect(await strangerPage.evaluate(() => document.getElementById('respond')?.parentElement?.id)).toBe(
    `comment-${commentId}`,
  );
  expect(await strangerPage.textContent('#reply-title')).toContain(`Leave a Reply to ${commenter.name}`);
  expect(await strangerPage.inputValue('#comment_parent')).toBe(commentId);
  expect(await activeElementId(strangerPage)).toBe('comment');
  await strangerPage.click('#cancel-comment-reply-link');
  expect(await strangerPage.evaluate(() => document.getElementById('respond')?.previousElementSibling?.id)).toBe(
    'respond-home',
  );
  expect(await strangerPage.inputValue('#comment_parent')).toBe('0');
  expect(await strangerPage.textContent('#reply-title')).toBe('Leave a Reply');

  const noScript = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await noScript.goto(url(postPath));
  await Promise.all([noScript.waitForNavigation(), noScript.click(`#comment-${commentId} .comment-reply-link`)]);
  expect(noScript.url()).toContain(`replytocom=${commentId}`);
  expect(await noScript.textContent('#reply-title')).toContain(`Leave a Reply to ${commenter.name}`);
  await fillComment(noScript, {
    text: 'A reply sent without JavaScript.',
    name: 'Bo',
    email: 'bo.browser@example.com',
  });
  await Promise.all([noScript.waitForNavigation(), noScript.click('#submit')]);
  const replyId = new URL(noScript.url()).hash.slice('#comment-'.length);
  await approve(replyId);
  await strangerPage.goto(url(postPath));
  expect(await strangerPage.isVisible(`#comment-${commentId} > ol.children > #comment-${replyId}`)).toBe(true);
  expect(await strangerPage.getAttribute(`#comment-${replyId}`, 'class')).toContain('depth-2');
  await noScript.context().close();
});

it('6. "Save my name, email, and website" fills the form next time, and only when ticked', async () => {
  const ticked = await (await browser.newContext()).newPage();
  await ticked.goto(url(postPath));
  // A bare address, as people type it: the browser lets it through, and the server adds https://.
  await fillComment(ticked, {
    text: 'Remember me, please.',
    name: 'Cy Saver',
    email: 'cy.saver@example.com',
    website: 'cy.example.org',
  });
  await ticked.check('#wp-comment-cookies-consent');
  await Promise.all([ticked.waitForNavigation(), ticked.click('#submit')]);
  await ticked.goto(url(postPath));
  expect(await ticked.inputValue('#author')).toBe('Cy Saver');
  expect(await ticked.inputValue('#email')).toBe('cy.saver@example.com');
  expect(await ticked.inputValue('#url')).toBe('https://cy.example.org/');
  expect(await ticked.isChecked('#wp-comment-cookies-consent')).toBe(true);

  const unticked = await (await browser.newContext()).newPage();
  await unticked.goto(url(postPath));
  await fillComment(unticked, { text: 'Forget me, please.', name: 'Di Private', email: 'di.private@example.com' });
  await Promise.all([unticked.waitForNavigation(), unticked.click('#submit')]);
  await unticked.goto(url(postPath));
  expect(await unticked.inputValue('#author')).toBe('');
  expect(await unticked.inputValue('#email')).toBe('');
  await ticked.context().close();
  await unticked.context().close();
});

it('7. posting again too fast shows the flood message and keeps the text', async () => {
  const floodDir = mkdtempSync(path.join(tmpdir(), 'marginalia-browser-flood-'));
  const strict = await startServer(floodDir, { DATABASE_URL: 'file:./blog.db', COMMENT_FLOOD_SECONDS: '15' });
  const page = await (await browser.newContext()).newPage();
  try {
    await page.goto(`${strict.url}${postPath}`);
    await fillComment(page, { text: 'First, and fine.', name: 'Ed', email: 'ed.browser@example.com' });
    await Promise.all([page.waitForNavigation(), page.click('#submit')]);
    await fillComment(page, { text: 'Second, too soon.', name: 'Ed', email: 'ed.browser@example.com' });
    await Promise.all([page.waitForNavigation(), page.click('#submit')]);
    expect(await page.textContent('#form-error-summary')).toMatch(
      /You are posting comments too quickly\. Please wait \d+ seconds before posting again\./,
    );
    expect(await page.inputValue('#comment')).toBe('Second, too soon.');
  } finally {
    await page.context().close();
    await strict.stop();
    rmSync(floodDir, { recursive: true, force: true });
  }
});

it('8. axe-core finds no serious or critical problem on the post page', async () => {
  await strangerPage.goto(url(postPath));
  expect(await seriousAccessibilityViolations(strangerPage)).toEqual([]);
});

it('9. the post page reads well at 1280 px and at 390 px with no sideways scrolling', async () => {
  for (const [name, width] of [
    ['post-desktop', 1280],
    ['post-phone', 390],
  ] as const) {
    const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
    await page.goto(url(postPath));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    await page.context().close();
  }
});
