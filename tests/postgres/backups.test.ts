import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { openDatabase } from '../../src/db/database';
import { contentOf } from '../helpers/blog-content';
import { addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';
import { createPostgresDatabase, dropPostgresDatabase } from '../helpers/test-database';

// `npm run backup` on PostgreSQL: pg_dump in its custom format, checked with pg_restore --list, and
// the restore docs/OPERATIONS.md gives.

let dir: string;
let ctx: TestContext;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-pg-backup-'));
  ctx = await buildTestApp({ MODERATION_MODE: 'approve' });
  const post = await addPost(ctx.db);
  await request(ctx.app)
    .post(`/api/posts/${post.slug}/comments`)
    .send({ comment: 'Kept in the dump.', author: 'Dee', email: 'dee@example.com' })
    .expect(201);
});
afterAll(async () => {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
});

const backup = (target: string, databaseUrl = ctx.config.DATABASE_URL) =>
  spawnSync(process.execPath, [path.resolve(__dirname, '..', '..', 'dist', 'backups', 'backup-cli.js'), target], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });

it('writes a checked pg_dump, readable by its owner only, that pg_restore brings back whole', async () => {
  const file = path.join(dir, 'backups', 'blog.dump');
  const run = backup(file);
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(
    /^Backed up the PostgreSQL database to .*blog\.dump: (\d+ KB|\d+\.\d MB) in \d+ ms, pg_restore --list ok\.\n$/,
  );
  expect(run.stdout).not.toContain(new URL(ctx.config.DATABASE_URL).password || 'no password');
  expect((statSync(file).mode & 0o777).toString(8)).toBe('600');

  const restoredUrl = await createPostgresDatabase();
  try {
    const restore = spawnSync('pg_restore', ['--no-owner', '--dbname', restoredUrl, file], { encoding: 'utf8' });
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);
    const restored = await openDatabase({ location: { engine: 'postgres', url: restoredUrl }, busyTimeoutMs: 1000 });
    try {
      expect(restored.appliedMigrations).toEqual([]);
      expect(await contentOf(restored.db)).toEqual(await contentOf(ctx.db));
      expect(await restored.db.siteSecret.count()).toBe(await ctx.db.siteSecret.count());
    } finally {
      await restored.db.$disconnect();
    }
  } finally {
    await dropPostgresDatabase(restoredUrl);
  }
});

it('fails with one line, and leaves no file, when PostgreSQL cannot be reached', () => {
  const file = path.join(dir, 'unreachable.dump');
  const run = backup(file, 'postgresql://nobody:secret-password@127.0.0.1:1/blog');
  expect(run.status).toBe(1);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^Backup failed: pg_dump failed: /);
  expect(run.stderr).not.toContain('secret-password');
  expect(() => statSync(file)).toThrow();
});
