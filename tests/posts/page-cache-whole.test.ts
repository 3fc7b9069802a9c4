import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { formBody, formStampOf } from '../helpers/html';
import { apiToken, asModerator, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The page cache made whole: every way data changes reaches it (imports by each door included),
// junk addresses never enter it, a kept page does not outlive what it shows (comments closing by
// age, the form's stamp), and shared pages are compressed whether or not they are kept.

let ctx: TestContext;
afterEach(() => ctx.close());

const get = (path: string) => request(ctx.app).get(path);

/** A marginalia export with one new post, titled `title`. */
function exportWithPost(title: string): string {
  const file = path.join(ctx.dir, `${title.replace(/\W+/g, '-')}.jsonl`);
  const when = '2026-10-01T10:00:00.000Z';
  const lines = [
    { format: 'marginalia', version: 1, exportedAt: when, origin: `door-${title}` },
    {
      type: 'post',
      id: 1,
      sourceId: null,
      slug: title.toLowerCase().replace(/\W+/g, '-'),
      title,
      bodyMarkdown: 'Imported.',
      bodyHtml: '',
      authorName: 'Importer',
      publishedAt: when,
      createdAt: when,
      updatedAt: when,
      commentsOpen: true,
    },
  ];
  writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  return file;
}

describe('an import', () => {
  beforeEach(async () => {
    ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on' });
    await addPost(ctx.db, { title: 'Already here' });
    expect((await get('/')).text).toContain('Already here');
  });

  it('through the admin page reaches the kept home page', async () => {
    const moderator = await asModerator(ctx.app);
    await moderator
      .post('/admin/import')
      .set('Sec-Fetch-Site', 'same-origin')
      .field('_csrf', moderator.csrf)
      .field('format', 'json')
      .attach('file', exportWithPost('Through the admin page'))
      .expect(200);
    expect((await get('/')).text).toContain('Through the admin page');
  });

  it('through the admin API reaches the kept home page', async () => {
    await request(ctx.app)
      .post('/admin/api/imports')
      .set('Authorization', `Bearer ${apiToken}`)
      .field('format', 'json')
      .attach('file', exportWithPost('Through the API'))
      .expect(200);
    expect((await get('/')).text).toContain('Through the API');
  });

  it('from the command line, while the server runs, reaches the kept home page within a second', async () => {
    const cli = path.resolve(__dirname, '..', '..', 'dist', 'imports', 'import-cli.js');
    const run = spawnSync(process.execPath, [cli, 'json', exportWithPost('From the command line')], {
      env: { PATH: process.env.PATH, DATABASE_URL: ctx.config.DATABASE_URL },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    ctx.clock.advance(1_000);
    expect((await get('/')).text).toContain('From the command line');
  });
});

describe('a page of comments past the last', () => {
  it('redirects to the last page, and never takes a place in the cache', async () => {
    // A cache of 1 MB, and pages of about 100 KB: ten junk pages would push the real one out.
    ctx = await buildTestApp({ PAGE_CACHE: 'on', PAGE_CACHE_MAX_MB: '1', COMMENTS_PER_PAGE: '1' });
    const post = await addPost(ctx.db, { bodyMarkdown: 'A long body. '.repeat(8_000) });
    await addComment(ctx.db, post.id, { text: 'One' });
    const two = await addComment(ctx.db, post.id, { text: 'Two' });
    expect((await get(`/posts/${post.slug}?cpage=2`)).text).toContain('Two');
    // A reply: on page 2, which stays the last page.
    await addComment(ctx.db, post.id, { text: 'Written below the cache', parentId: two.id });
    for (let page = 3; page < 40; page += 1) {
      const res = await get(`/posts/${post.slug}?cpage=${page * 7}`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(`/posts/${post.slug}?cpage=2#comments`);
    }
    // The real page is still the kept one (the comment written below the cache is not on it).
    expect((await get(`/posts/${post.slug}?cpage=2`)).text).not.toContain('Written below the cache');
  });
});

describe('a kept article page', () => {
  beforeEach(async () => {
    ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on', COMMENT_FORM_MAX_AGE_HOURS: '2' });
  });

  it('does not outlive its post’s closing by age: the form goes when comments close', async () => {
    const settings = { mode: 'hold', maxLinks: 2, moderationWords: '', disallowedWords: '', wordMatch: 'substring' };
    await ctx.db.moderationSettings.create({ data: { id: 1, ...settings, closeAfterDays: 1 } });
    const post = await addPost(ctx.db, { publishedAt: new Date(ctx.clock.now().getTime() - 23 * 3600 * 1000) });
    expect((await get(`/posts/${post.slug}`)).text).toContain('id="commentform"');
    ctx.clock.advance(2 * 3600 * 1000);
    const closed = (await get(`/posts/${post.slug}`)).text;
    expect(closed).not.toContain('id="commentform"');
    expect(closed).toContain('Comments are closed.');
  });

  it('is not revalidated as unchanged once its form would be too old to send', async () => {
    const post = await addPost(ctx.db);
    // A page's validator changes with the quarter of the form's life it was sent in (30 minutes
    // here): start just after one begins, so the minute below never crosses into the next.
    const quarterMs = (2 * 3600 * 1000) / 4;
    ctx.clock.advance(quarterMs - (ctx.clock.now().getTime() % quarterMs) + 1_000);
    const first = await get(`/posts/${post.slug}`);
    const etag = first.headers.etag!;
    ctx.clock.advance(60_000);
    expect((await get(`/posts/${post.slug}`).set('If-None-Match', etag)).status).toBe(304);
    ctx.clock.advance(2 * 3600 * 1000);
    const later = await get(`/posts/${post.slug}`).set('If-None-Match', etag);
    expect(later.status).toBe(200);
    expect(formStampOf(later.text)).not.toBe(formStampOf(first.text));
  });

  it('says how old a form may be, as configured, when it is too old', async () => {
    const post = await addPost(ctx.db);
    const page = await get(`/posts/${post.slug}`);
    ctx.clock.advance(3 * 3600 * 1000);
    const res = await request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ comment: 'Late', author: 'Lu', email: 'lu@example.com', form_ts: formStampOf(page.text) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      'This form was open for more than 2 hours. Please check your comment and post it again.',
    );
  });
});

describe('shared pages with PAGE_CACHE=off', () => {
  it('are still compressed when the browser accepts it', async () => {
    ctx = await buildTestApp({ PAGE_CACHE: 'off' });
    const post = await addPost(ctx.db, { title: 'Squeezed' });
    for (const address of [`/posts/${post.slug}`, '/']) {
      // supertest decompresses what it receives.
      const res = await get(address).set('Accept-Encoding', 'br');
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.text).toContain('Squeezed');
      // Rendered for every request anyway: no validator to hash the page for.
      expect(res.headers.etag).toBeUndefined();
    }
  });
});

describe('the kept-page fast path', () => {
  it('is the one entry point: a kept page is looked up once; one not kept yet at the entry and by its route only', async () => {
    ctx = await buildTestApp({ PAGE_CACHE: 'on' });
    const post = await addPost(ctx.db);
    const lookups = () => ctx.app.pageCache!.stats().lookups;
    for (const address of [`/posts/${post.slug}`, '/']) {
      let before = lookups();
      await get(address).expect(200);
      expect({ address, miss: lookups() - before }).toEqual({ address, miss: 2 });
      before = lookups();
      await get(address).expect(200);
      expect({ address, hit: lookups() - before }).toEqual({ address, hit: 1 });
    }
  });
});
