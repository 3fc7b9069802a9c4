import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/database';
import { applyMigrations, diffDatabaseToSchema, isEmptyMigration } from '../../src/db/migrations';

let dir: string;
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

  it('applies each migration once, recording it as `prisma migrate deploy` does', async () => {
    const file = path.join(dir, 'twice.db');
    const first = await applyMigrations(file);
    expect(first.length).toBeGreaterThan(0);
    expect(await applyMigrations(file)).toEqual([]);
  });
});

describe('openDatabase', () => {
  it('creates the folder, migrates, and runs in WAL mode with a busy timeout and foreign keys', async () => {
    const file = path.join(dir, 'nested', 'folder', 'blog.db');
    const { db, settings, appliedMigrations } = await openDatabase({ databaseFile: file, busyTimeoutMs: 1234 });
    try {
      expect(appliedMigrations.length).toBeGreaterThan(0);
      expect(settings).toEqual({ journalMode: 'wal', synchronous: 'NORMAL', busyTimeoutMs: 1234, foreignKeys: true });
      expect(await db.post.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });
});
