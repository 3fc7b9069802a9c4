import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { uploadFolder } from '../src/admin/admin-upload';
import { openDatabase } from '../src/db/database';
import { addComment, addPost } from './helpers/factories';
import { importFixture } from './helpers/import-fixtures';
import { apiToken, asModerator, moderatorEnv } from './helpers/moderator';
import { buildTestApp, type TestContext } from './helpers/test-app';

// The small findings of the outside review: invisible characters that change how a name or web
// address reads, the files that hold commenters' addresses, and the moderator's search.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, MODERATION_MODE: 'approve' });
});
afterAll(() => ctx.close());

describe('one-line fields (name, website)', () => {
  it('lose bidi overrides and zero-width characters, which make a name or address read other than it is', async () => {
    const post = await addPost(ctx.db);
    const res = await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({
        comment: 'Right-to-left text stays as written: \u05E9\u05DC\u05D5\u05DD \u202Eabc\u202C.',
        author: 'Ad\u200Bmin\u202E nimdA\u2066\u2069\uFEFF',
        email: 'bidi@example.com',
        url: 'https://exa\u200Bmple.org/\u202Efdp.exe',
      })
      .expect(201);
    expect(res.body.comment.authorName).toBe('Admin nimdA');
    expect(res.body.comment.authorUrl).toBe('https://example.org/fdp.exe');
    // A multi-line text keeps them: right-to-left writing needs its marks.
    expect(res.body.comment.text).toContain('\u202Eabc\u202C');
  });

  it('lose every other invisible character: soft hyphens, tags, fillers, blank patterns, lone marks', async () => {
    const post = await addPost(ctx.db);
    const names: [string, string][] = [
      ['A\u00ADdmin', 'Admin'],
      ['Ad\u034Fmin', 'Admin'],
      ['Admin\u{E0041}\u{E0042}', 'Admin'],
      ['Admin\uFE0F\uFE0E', 'Admin'],
      ['Ad\u17B4min', 'Admin'],
      ['A\u180BB', 'AB'],
      ['A\u{1D173}B', 'AB'],
      ['A\uFFF9x\uFFFAy\uFFFB', 'Axy'],
      ['\u2800Ada', 'Ada'],
      ['Ada\uFFFC', 'Ada'],
      ['\u0301\u0301Ada', 'Ada'],
    ];
    for (const [at, [typed, stored]] of names.entries()) {
      const res = await request(ctx.app)
        .post(`/api/posts/${post.slug}/comments`)
        .send({ comment: `Hello from ${stored}, number ${at}`, author: typed, email: 'invisible@example.com' });
      expect({ typed, status: res.status, name: res.body.comment?.authorName }).toEqual({
        typed,
        status: 201,
        name: stored,
      });
    }
    for (const blank of ['\u2800', '\uFFFC', '\u0301\u0301\u0301', '\u00AD\u200B']) {
      const res = await request(ctx.app)
        .post(`/api/posts/${post.slug}/comments`)
        .send({ comment: 'A comment from nobody visible', author: blank, email: 'blank@example.com' });
      expect(res.status).toBe(422);
      expect(JSON.stringify(res.body)).toContain('Please enter your name.');
    }
  });

  it('keep an emoji’s presentation selector, the tags of a subdivision flag, and marks on their letters', async () => {
    const post = await addPost(ctx.db);
    const name = 'Zo\u0065\u0308 \u2764\uFE0F \u{1F3F4}\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}';
    const res = await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Hello from Wales', author: name, email: 'flags@example.com' })
      .expect(201);
    expect(res.body.comment.authorName).toBe(name.normalize('NFC'));
  });

  it('keep the joiners that emoji and many scripts need', async () => {
    const post = await addPost(ctx.db);
    const family = '\u{1F469}\u200D\u{1F467} \u{1F469}\u{1F3FD}\u200D\u{1F4BB}';
    const persian = '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645';
    const res = await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Hello', author: `${family} ${persian}`, email: 'joiners@example.com' })
      .expect(201);
    expect(res.body.comment.authorName).toBe(`${family} ${persian}`);
  });
});

describe('files holding commenters’ addresses', () => {
  it('creates the database (and its write-ahead log) readable by its owner only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'marginalia-modes-'));
    try {
      const file = path.join(dir, 'blog.db');
      const { db } = await openDatabase({ location: { engine: 'sqlite', file }, busyTimeoutMs: 1000 });
      await db.$executeRawUnsafe("INSERT INTO SiteSecret (name, value) VALUES ('x', 'y')");
      for (const name of ['blog.db', 'blog.db-wal', 'blog.db-shm']) {
        expect({ name, mode: (statSync(path.join(dir, name)).mode & 0o777).toString(8) }).toEqual({
          name,
          mode: '600',
        });
      }
      await db.$disconnect();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('receives uploads in a folder only its owner can open', async () => {
    await request(ctx.app)
      .post('/admin/api/imports')
      .set('Authorization', `Bearer ${apiToken}`)
      .field('format', 'wordpress')
      .field('dryRun', 'yes')
      .attach('file', importFixture('wxr-1.2.xml'))
      .expect(200);
    expect((statSync(uploadFolder()).mode & 0o777).toString(8)).toBe('700');
  });
});

describe('the moderator’s search', () => {
  it('finds % and _ as themselves, not as wildcards', async () => {
    const post = await addPost(ctx.db);
    await addComment(ctx.db, post.id, { text: 'A discount of 50% today' });
    await addComment(ctx.db, post.id, { text: 'A discount of 50 percent today' });
    await addComment(ctx.db, post.id, { text: 'snake_case names' });
    await addComment(ctx.db, post.id, { text: 'snakeXcase names' });
    await addComment(ctx.db, post.id, { text: 'saved in C:\\temp\\notes' });
    const moderator = await asModerator(ctx.app);
    const search = async (q: string) => {
      const res = await request(ctx.app)
        .get('/admin/api/comments')
        .query({ q, post: post.id })
        .set('Authorization', `Bearer ${apiToken}`);
      return (res.body.comments as { text: string }[]).map((comment) => comment.text).sort();
    };
    expect(await search('50%')).toEqual(['A discount of 50% today']);
    expect(await search('snake_case')).toEqual(['snake_case names']);
    expect(await search('SNAKE_')).toEqual(['snake_case names']);
    expect(await search('C:\\temp')).toEqual(['saved in C:\\temp\\notes']);
    const page = await moderator.get('/admin/comments').query({ q: '50%', post: post.id });
    expect(page.text).toContain('A discount of 50% today');
    expect(page.text).not.toContain('A discount of 50 percent today');
  });
});

describe('a NUL in an address or a search (found attacking the PostgreSQL mode, which refuses NULs in text)', () => {
  it('is a post not found, or a search that finds what the rest of it finds, never a server error', async () => {
    const post = await addPost(ctx.db, { title: 'NUL neighbour' });
    await addComment(ctx.db, post.id, { text: 'Findable words here' });
    expect((await request(ctx.app).get('/posts/a%00b')).status).toBe(404);
    const posted = await request(ctx.app)
      .post('/api/posts/a%00b/comments')
      .send({ author: 'N', email: 'n@example.com', comment: 'Hello' });
    expect(posted.status).toBe(404);
    const search = await request(ctx.app)
      .get('/admin/api/comments?q=Findable%00')
      .set('Authorization', `Bearer ${apiToken}`);
    expect(search.status).toBe(200);
    expect((search.body as { total: number }).total).toBe(1);
  });
});

// Found attacking the PostgreSQL mode: an id past 2^31 - 1 (the largest a row id can be) reached
// PostgreSQL's integer column and came back as a 500, the typed comment lost; SQLite took it.
describe('ids past the largest a row can have', () => {
  let app: TestContext;
  beforeAll(async () => {
    app = await buildTestApp({ ...moderatorEnv, COMMENT_RATE_LIMIT: '1000' });
  });
  afterAll(() => app.close());

  it('are refused or not found like any other wrong id, never a 500', async () => {
    const post = await addPost(app.db);
    const huge = '3000000000';
    const reply = await request(app.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send({ comment: 'Kept when refused', author: 'Far', email: 'far@example.com', comment_parent: '2147483648' });
    expect(reply.status).toBe(422);
    expect(reply.text).toContain('Kept when refused');
    const json = await request(app.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Far away', author: 'Far', email: 'far@example.com', comment_parent: 999999999999999 });
    expect(json.status).toBe(422);
    expect((await request(app.app).get(`/posts/${post.slug}/comments/${huge}`)).status).toBe(404);
    expect((await request(app.app).get(`/posts/${post.slug}?replytocom=${huge}`)).status).toBe(200);
    const auth = { Authorization: `Bearer ${apiToken}` };
    expect(
      (await request(app.app).patch(`/admin/api/comments/${huge}`).set(auth).send({ status: 'approved' })).status,
    ).toBe(404);
    expect((await request(app.app).delete(`/admin/api/comments/${huge}`).set(auth)).status).toBe(404);
    const bulk = await request(app.app)
      .post('/admin/api/comments/bulk')
      .set(auth)
      .send({ ids: [Number(huge)], status: 'approved' });
    expect(bulk.status).toBe(422);
  });
});
