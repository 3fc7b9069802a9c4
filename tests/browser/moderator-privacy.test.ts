import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { apiToken, moderatorEnv, moderatorPassword } from '../helpers/moderator';
import { startServer, type RunningServer } from '../helpers/server-process';
import { launchBrowser, screenshotDir, seriousAccessibilityViolations } from './browser';

// The moderator's side of a commenter's privacy, in Debian's Chromium against the built server on
// a temp SQLite file: find a commenter by a word of their comment, block them, export their data,
// then erase it; and what the reader and the blocked commenter see afterwards. The scenarios run
// in order and build on each other.

const postPath = '/posts/welcome-to-the-margins';
// The address as the commenter types it; comments and blocks store it lower-cased.
const commenter = { name: 'Zed Quill', email: 'Zed.Quill@Example.org' };
const storedEmail = commenter.email.toLowerCase();
const searchedWord = 'quincunx';
const answeredText = `The ${searchedWord} in the second paragraph is a lovely touch.`;
const otherText = 'Another note from me, with nothing special in it.';
const replier = { name: 'Bo Replier', email: 'bo.replier@example.net', text: 'I noticed that pattern too!' };
const awaitingModeration = 'Your comment is awaiting moderation.';

let dir: string;
let server: RunningServer;
let browser: Browser;
let commenterPage: Page;
let moderatorPage: Page;
let answeredId: string;
let otherId: string;
let replyId: string;
let heldClass: string | null;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-browser-privacy-'));
  server = await startServer(dir, {
    DATABASE_URL: 'file:./blog.db',
    ...(moderatorEnv as Record<string, string>),
    COMMENT_FLOOD_SECONDS: '0',
    COMMENT_MIN_SECONDS: '0',
    COMMENT_RATE_LIMIT: '100',
  });
  browser = await launchBrowser();
  commenterPage = await (await browser.newContext()).newPage();
  moderatorPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  mkdirSync(screenshotDir, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const url = (pathname: string) => `${server.url}${pathname}`;

async function fillComment(page: Page, fields: { text: string; name: string; email: string }) {
  await page.fill('#comment', fields.text);
  await page.fill('#author', fields.name);
  await page.fill('#email', fields.email);
}

/** Sends the comment form and resolves with the id of the comment it landed on. */
async function submitComment(page: Page): Promise<string> {
  await Promise.all([page.waitForURL(/#comment-\d+$/), page.click('#submit')]);
  return new URL(page.url()).hash.slice('#comment-'.length);
}

/** Approves a comment through the admin API (seeding: the moderator's own steps are in the browser). */
async function approve(id: string) {
  const res = await fetch(url(`/admin/api/comments/${id}`), {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: 'approved' }),
  });
  expect(res.status).toBe(200);
}

it('1. a commenter posts two comments, a reader answers one, and the moderator approves them', async () => {
  await commenterPage.goto(url(postPath));
  await fillComment(commenterPage, { ...commenter, text: answeredText });
  answeredId = await submitComment(commenterPage);
  // What any held comment looks like to its author: step 6 holds the blocked commenter to it.
  expect(await commenterPage.textContent(`#comment-${answeredId} .comment-awaiting-moderation`)).toBe(
    awaitingModeration,
  );
  heldClass = await commenterPage.getAttribute(`#comment-${answeredId}`, 'class');
  await commenterPage.goto(url(postPath));
  await fillComment(commenterPage, { ...commenter, text: otherText });
  otherId = await submitComment(commenterPage);
  await approve(answeredId);
  await approve(otherId);

  const readerPage = await (await browser.newContext()).newPage();
  await readerPage.goto(url(postPath));
  await readerPage.click(`#comment-${answeredId} .comment-reply-link`);
  expect(await readerPage.inputValue('#comment_parent')).toBe(answeredId);
  await fillComment(readerPage, replier);
  replyId = await submitComment(readerPage);
  await approve(replyId);
  await readerPage.goto(url(postPath));
  expect(await readerPage.isVisible(`#comment-${answeredId} > ol.children > #comment-${replyId}`)).toBe(true);
  // Kept by the page cache from now on: step 5 checks that the erasure drops these copies.
  expect(await readerPage.textContent(`#comment-${otherId} .comment-author`)).toContain(commenter.name);
  expect(await (await fetch(url('/comments/feed'))).text()).toContain(commenter.name);
  await readerPage.context().close();
});

it('2. the moderator signs in, searches the comments for a word, and opens the comment', async () => {
  await moderatorPage.goto(url('/admin'));
  expect(new URL(moderatorPage.url()).pathname).toBe('/admin/login');
  await moderatorPage.fill('#username', 'editor');
  await moderatorPage.fill('#password', moderatorPassword);
  await Promise.all([moderatorPage.waitForURL(url('/admin')), moderatorPage.click('button[type=submit]')]);

  const adminNav = moderatorPage.getByRole('navigation', { name: 'Admin' });
  await Promise.all([
    moderatorPage.waitForURL(url('/admin/comments')),
    adminNav.getByRole('link', { name: 'Comments', exact: true }).click(),
  ]);
  expect(await moderatorPage.getAttribute('#filter-q', 'placeholder')).toBe('Name, email, website or text');
  await moderatorPage.fill('#filter-q', searchedWord);
  await Promise.all([
    moderatorPage.waitForURL(new RegExp(`/admin/comments\\?.*q=${searchedWord}`)),
    moderatorPage.getByRole('button', { name: 'Filter' }).click(),
  ]);
  expect(await moderatorPage.textContent('.result-count')).toBe('1 comment');
  const row = moderatorPage.locator(`#admin-comment-${answeredId}`);
  expect(await row.locator('.comment-text').textContent()).toContain(answeredText);
  expect(await row.locator('.email').textContent()).toBe(storedEmail);
  expect(await seriousAccessibilityViolations(moderatorPage)).toEqual([]);

  await Promise.all([
    moderatorPage.waitForURL(new RegExp(`/admin/comments/${answeredId}/edit\\?return=`)),
    row.getByRole('link', { name: 'Edit', exact: true }).click(),
  ]);
  expect(await moderatorPage.textContent('h1')).toBe(`Edit comment ${answeredId}`);
  expect(await moderatorPage.inputValue('#email')).toBe(storedEmail);
});

it('3. "Block this email" blocks the address, listed under Settings → blocked senders', async () => {
  const actions = moderatorPage.getByRole('region', { name: 'Actions' });
  await Promise.all([
    moderatorPage.waitForURL(url(`/admin/comments/${answeredId}/edit`)),
    actions.getByRole('button', { name: 'Block this email' }).click(),
  ]);
  expect(await moderatorPage.textContent('.flash')).toBe(
    `Blocked ${commenter.email.toLowerCase()}: their next comments go to spam.`,
  );
  expect(await seriousAccessibilityViolations(moderatorPage)).toEqual([]);

  await Promise.all([
    moderatorPage.waitForURL(url('/admin/settings')),
    moderatorPage.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Settings' }).click(),
  ]);
  await Promise.all([
    moderatorPage.waitForURL(url('/admin/settings/blocks')),
    moderatorPage.getByRole('link', { name: 'blocked senders' }).click(),
  ]);
  const blocked = moderatorPage.locator('.blocks-table tbody tr');
  expect(await blocked.count()).toBe(1);
  expect(await blocked.locator('td').first().textContent()).toBe(`Email ${storedEmail}`);
  expect(await blocked.locator('td').nth(1).textContent()).toBe(`From comment ${answeredId}`);
  await moderatorPage.screenshot({ path: path.join(screenshotDir, 'moderator-blocks.png'), fullPage: true });
  expect(await seriousAccessibilityViolations(moderatorPage)).toEqual([]);
});

it('4. from the comment, the commenter’s data: both comments, downloaded as JSON without anyone else’s', async () => {
  await moderatorPage.goto(url(`/admin/comments/${answeredId}/edit`));
  await Promise.all([
    moderatorPage.waitForURL(/\/admin\/commenters\?email=/),
    moderatorPage.getByRole('link', { name: 'All data stored under this email: export or erase' }).click(),
  ]);
  expect(new URL(moderatorPage.url()).searchParams.get('email')).toBe(storedEmail);
  expect(await moderatorPage.textContent('main h2')).toBe(`Stored under ${storedEmail}`);
  expect(await moderatorPage.getByText(/^2 comments, /).count()).toBe(1);
  expect(await moderatorPage.locator('.commenter-comments tbody tr').count()).toBe(2);

  const [download] = await Promise.all([
    moderatorPage.waitForEvent('download'),
    moderatorPage.getByRole('link', { name: 'Download their data (JSON)' }).click(),
  ]);
  // The file's name is a date, never the address: downloads are saved anywhere.
  expect(download.suggestedFilename()).toMatch(/^commenter-data-\d{4}-\d{2}-\d{2}\.json$/);
  const text = readFileSync(await download.path(), 'utf8');
  const exported = JSON.parse(text) as {
    email: string;
    comments: { id: number; name: string; email: string; text: string; replyTo: number | null }[];
  };
  expect(exported.email).toBe(storedEmail);
  expect(exported.comments.map(({ id, name, email, text, replyTo }) => ({ id, name, email, text, replyTo }))).toEqual([
    { id: Number(answeredId), name: commenter.name, email: storedEmail, text: answeredText, replyTo: null },
    { id: Number(otherId), name: commenter.name, email: storedEmail, text: otherText, replyTo: null },
  ]);
  expect(text).not.toContain(replier.email);
  expect(text).not.toContain(replier.name);
  expect(text).not.toContain(replier.text);

  await moderatorPage.screenshot({ path: path.join(screenshotDir, 'moderator-commenter-data.png'), fullPage: true });
  expect(await seriousAccessibilityViolations(moderatorPage)).toEqual([]);
});

it('5. "Delete" erases them: the answered comment stays as a placeholder, and no page names them', async () => {
  await moderatorPage.check('#mode-delete');
  await Promise.all([
    moderatorPage.waitForNavigation(),
    moderatorPage.getByRole('button', { name: 'Erase', exact: true }).click(),
  ]);
  expect(await moderatorPage.textContent('.flash')).toBe(
    '1 deleted, 1 kept as a “deleted comment” placeholder for their replies.',
  );
  expect(await moderatorPage.textContent('main')).toContain(
    'No comments, subscriptions or mail are stored under this address.',
  );
  expect(await seriousAccessibilityViolations(moderatorPage)).toEqual([]);

  const readerPage = await (await browser.newContext()).newPage();
  await readerPage.goto(url(postPath));
  expect(await readerPage.textContent(`#comment-${answeredId} .comment-deleted`)).toBe('This comment was deleted.');
  const reply = readerPage.locator(`#comment-${answeredId} > ol.children > #comment-${replyId}`);
  expect(await reply.locator('.comment-content').textContent()).toContain(replier.text);
  expect(await reply.locator('.comment-author').textContent()).toContain(replier.name);
  expect(await readerPage.locator(`#comment-${otherId}`).count()).toBe(0);
  const html = await readerPage.content();
  const feed = await (await fetch(url('/comments/feed'))).text();
  expect(feed).toContain(replier.text);
  for (const gone of [commenter.name, storedEmail, searchedWord, otherText]) {
    expect(html).not.toContain(gone);
    expect(feed).not.toContain(gone);
  }
  expect(await seriousAccessibilityViolations(readerPage)).toEqual([]);
  await readerPage.locator('#comments').screenshot({ path: path.join(screenshotDir, 'reader-deleted-comment.png') });
  await readerPage.context().close();
});

it('6. the blocked commenter posts again and is answered as any held comment is; it goes to spam', async () => {
  await commenterPage.goto(url(postPath));
  await fillComment(commenterPage, { ...commenter, text: 'Back again, as if nothing happened.' });
  const blockedId = await submitComment(commenterPage);
  expect(await commenterPage.textContent(`#comment-${blockedId} .comment-awaiting-moderation`)).toBe(
    awaitingModeration,
  );
  expect(await commenterPage.getAttribute(`#comment-${blockedId}`, 'class')).toBe(heldClass);
  expect(await commenterPage.innerText('body')).not.toMatch(/block/i);

  await Promise.all([
    moderatorPage.waitForURL(url('/admin/comments')),
    moderatorPage
      .getByRole('navigation', { name: 'Admin' })
      .getByRole('link', { name: 'Comments', exact: true })
      .click(),
  ]);
  await Promise.all([
    moderatorPage.waitForURL(url('/admin/comments?status=spam')),
    moderatorPage.locator('.status-tabs').getByRole('link', { name: 'spam (1)' }).click(),
  ]);
  const row = moderatorPage.locator(`#admin-comment-${blockedId}`);
  expect(await row.locator('.status-badge').textContent()).toBe('spam');
  expect(await row.locator('.comment-text').textContent()).toContain('Back again, as if nothing happened.');
});
