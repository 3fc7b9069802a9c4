import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/database';
import { applyMigrations, diffDatabaseToSchema, isEmptyMigration, migrationsDir } from '../../src/db/migrations';

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

  it('applies each migration once, recording it by folder name as `prisma migrate deploy` does', async () => {
    const file = path.join(dir, 'twice.db');
    const first = await applyMigrations(file);
    expect(first.length).toBeGreaterThan(0);
    expect(await applyMigrations(file)).toEqual([]);
    // Bare folder names, not paths: a database stays valid when the project folder moves.
    const db = new Database(file, { readonly: true });
    const names = db.prepare('SELECT migration_name AS name FROM _prisma_migrations ORDER BY started_at').all() as { name: string }[];
    db.close();
    expect(names.map((row) => row.name)).toEqual(readdirSync(migrationsDir).filter((name) => /^\d{14}_/.test(name)).sort());
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
