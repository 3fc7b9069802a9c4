import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { importDisqus } from '../../src/imports/disqus-import';
import { importWordPress } from '../../src/imports/wordpress-import';
import { contentOf } from '../helpers/blog-content';
import { importFixture } from '../helpers/import-fixtures';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Moving a blog from SQLite to PostgreSQL as docs/OPERATIONS.md says: `npm run export -- json`
// on the old database, `npm run import -- json` into the new one.

let dir: string;
let onSqlite: TestContext;
let onPostgres: TestContext;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-move-'));
  onSqlite = await buildTestApp({
    ...moderatorEnv,
    MODERATION_MODE: 'approve',
    DATABASE_URL: `file:${path.join(dir, 'old.db')}`,
  });
  onPostgres = await buildTestApp();
  await importWordPress(onSqlite.db, importFixture('wxr-1.2.xml'));
  await importDisqus(onSqlite.db, importFixture('disqus.xml'));
  const posted = await request(onSqlite.app)
    .post('/api/posts/frost-on-the-reeds/comments')
    .set('User-Agent', 'Mover/1.0')
    .send({ comment: 'Written on SQLite, read on PostgreSQL.', author: 'Mo', email: 'mo@example.com' })
    .expect(201);
  await request(onSqlite.app)
    .post('/admin/api/comments/bulk')
    .set('Authorization', `Bearer ${apiToken}`)
    .send({ ids: [posted.body.comment.id], status: 'trash' })
    .expect(200);
});
afterAll(async () => {
  await onSqlite.close();
  await onPostgres.close();
  rmSync(dir, { recursive: true, force: true });
});

const tool = (name: 'export' | 'import', databaseUrl: string, ...args: string[]) =>
  spawnSync(process.execPath, [path.resolve(__dirname, '..', '..', 'dist', `${name}s`, `${name}-cli.js`), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });

it('export from SQLite, import into PostgreSQL: the same posts and comments, counts and contents', async () => {
  const file = path.join(dir, 'blog.jsonl');
  const exported = tool('export', onSqlite.config.DATABASE_URL, 'json', file);
  expect(exported.stderr).toBe('');
  expect(exported.stdout).toMatch(/^Exported 4 posts and 13 comments/);
  const imported = tool('import', onPostgres.config.DATABASE_URL, 'json', file);
  expect(imported.status).toBe(0);
  expect(imported.stdout).toMatch(/posts: 4 new/);

  const count = async (ctx: TestContext) => ({
    posts: await ctx.db.post.count(),
    byStatus: await ctx.db.comment.groupBy({ by: ['status'], _count: { _all: true }, orderBy: { status: 'asc' } }),
  });
  expect(await count(onPostgres)).toEqual(await count(onSqlite));
  // Every comment, not a sample: author, email, text, status, dates, thread and history.
  expect(await contentOf(onPostgres.db, { withSourceIds: false })).toEqual(
    await contentOf(onSqlite.db, { withSourceIds: false }),
  );
  // And the pages show the same.
  const page = (ctx: TestContext) => request(ctx.app).get('/posts/frost-on-the-reeds');
  const comments = (html: string) => [...html.matchAll(/<li[^>]*id="comment-\d+"[^]*?<\/li>/g)].length;
  const shown = comments((await page(onSqlite)).text);
  expect(shown).toBeGreaterThan(0);
  expect(comments((await page(onPostgres)).text)).toBe(shown);
});
