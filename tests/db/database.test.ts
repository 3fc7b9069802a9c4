import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/database';
import { applyMigrations, diffDatabaseToSchema, isEmptyMigration, migrationsDir } from '../../src/db/migrations';

let dir: string;
// Addresses as an older release stored them, and as they read after the privacy_tools migration.
const mappedAndOther = [
  '::ffff:203.0.113.5',
  '::FFFF:198.51.100.2',
  '2001:db8::1',
  '203.0.113.9',
  '::ffff:7f00:1',
  null,
];
const asPeopleReadThem = ['203.0.113.5', '198.51.100.2', '2001:db8::1', '203.0.113.9', '::ffff:7f00:1', null];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  it('prisma/schema.prisma and prisma/migrations agree (empty diff)', async () => {
    const file = path.join(dir, 'drift.db');
    await applyMigrations(file);
    const diff = await diffDatabaseToSchema(file);
    expect(isEmptyMigration(diff)).toBe(true);
  });

  it('applies each migration once, recording it by folder name as `prisma migrate deploy` does', async () => {
    const file = path.join(dir, 'twice.db');
    const first = await applyMigrations(file);
    expect(first.length).toBeGreaterThan(0);
    expect(await applyMigrations(file)).toEqual([]);
    // Bare folder names, not paths: a database stays valid when the project folder moves.
    const db = new Database(file, { readonly: true });
    const names = db.prepare('SELECT migration_name AS name FROM _prisma_migrations ORDER BY started_at').all() as {
      name: string;
    }[];
    db.close();
    expect(names.map((row) => row.name)).toEqual(
      readdirSync(migrationsDir)
        .filter((name) => /^\d{14}_/.test(name))
        .sort(),
    );
  });
});

describe('the arrival_note migration', () => {
  it('moves the reason for each comment’s first status into the comment, keeping later changes', () => {
    const folders = readdirSync(migrationsDir)
      .filter((name) => /^\d{14}_/.test(name))
      .sort();
    const at = folders.findIndex((name) => name.endsWith('_arrival_note'));
    const sqlOf = (folder: string) => readFileSync(path.join(migrationsDir, folder, 'migration.sql'), 'utf8');
    const db = new Database(path.join(dir, 'before.db'));
    for (const folder of folders.slice(0, at)) db.exec(sqlOf(folder));
    db.exec(`INSERT INTO Post (id, slug, title, bodyMarkdown, bodyHtml, excerpt, authorName, publishedAt, updatedAt) VALUES (1, 'p', 'P', '', '', '', 'A', 0, 0);
      INSERT INTO Comment (id, postId, authorName, authorEmail, text, textHtml, status, updatedAt) VALUES (1, 1, 'N', 'n@example.com', 't', 't', 'spam', 0), (2, 1, 'M', 'm@example.com', 'u', 'u', 'pending', 0);
      INSERT INTO CommentStatusChange (commentId, fromStatus, toStatus, actor, note) VALUES
        (1, NULL, 'pending', 'rules', 'held for moderation'), (1, 'pending', 'spam', 'api', NULL), (2, NULL, 'pending', 'rules', 'has 3 links (more than 2)');`);
    db.exec(sqlOf(folders[at]!));
    expect(db.prepare('SELECT id, arrivalNote FROM Comment ORDER BY id').all()).toEqual([
      { id: 1, arrivalNote: 'held for moderation' },
      { id: 2, arrivalNote: 'has 3 links (more than 2)' },
    ]);
    expect(db.prepare('SELECT commentId, fromStatus, toStatus, actor FROM CommentStatusChange').all()).toEqual([
      { commentId: 1, fromStatus: 'pending', toStatus: 'spam', actor: 'api' },
    ]);
    db.close();
  });
});

describe('the privacy_tools migration, on a database made by the release before it', () => {
  it('rewrites IPv4 addresses stored in the mapped form, and leaves every other address alone', () => {
    const folders = readdirSync(migrationsDir)
      .filter((name) => /^\d{14}_/.test(name))
      .sort();
    const at = folders.findIndex((name) => name.endsWith('_privacy_tools'));
    const sqlOf = (folder: string) => readFileSync(path.join(migrationsDir, folder, 'migration.sql'), 'utf8');
    const db = new Database(path.join(dir, 'before.db'));
    for (const folder of folders.slice(0, at)) db.exec(sqlOf(folder));
    db.exec(
      `INSERT INTO Post (id, slug, title, bodyMarkdown, bodyHtml, excerpt, authorName, publishedAt, updatedAt) VALUES (1, 'p', 'P', '', '', '', 'A', 0, 0);`,
    );
    const insert = db.prepare(
      `INSERT INTO Comment (postId, authorName, authorEmail, text, textHtml, status, ipAddress, updatedAt) VALUES (1, 'N', 'n@example.com', 't', 't', 'approved', ?, 0)`,
    );
    for (const address of mappedAndOther) insert.run(address);
    db.exec(`UPDATE Comment SET authorEmail = 'N@Example.COM' WHERE id = 1`);
    db.exec(sqlOf(folders[at]!));
    expect(db.prepare('SELECT ipAddress FROM Comment ORDER BY id').pluck().all()).toEqual(asPeopleReadThem);
    // Addresses are stored lower-cased, as every form has long written them.
    expect(db.prepare('SELECT DISTINCT authorEmail FROM Comment').pluck().all()).toEqual(['n@example.com']);
    db.close();
  });
});

describe('openDatabase', () => {
  it('creates the folder, migrates, and runs in WAL mode with a busy timeout and foreign keys', async () => {
    const file = path.join(dir, 'nested', 'folder', 'blog.db');
    const { db, settings, appliedMigrations } = await openDatabase({
      location: { engine: 'sqlite', file },
      busyTimeoutMs: 1234,
    });
    try {
      expect(appliedMigrations.length).toBeGreaterThan(0);
      expect(settings).toEqual({
        engine: 'sqlite',
        journalMode: 'wal',
        synchronous: 'NORMAL',
        busyTimeoutMs: 1234,
        foreignKeys: true,
      });
      expect(await db.post.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });
});
