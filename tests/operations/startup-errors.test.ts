import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations, DatabaseStartError, migrationsDir } from '../../src/db/migrations';
import { runServerToExit } from '../helpers/server-process';

// Mistakes a person can make with DATABASE_URL or the disk stop the server at start with one line
// that says what to do, and never change the file they point at.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-startup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(databaseUrl: string): Promise<string> {
  const { code, stderr } = await runServerToExit(dir, { DATABASE_URL: databaseUrl, PORT: '0' });
  expect(code).toBe(1);
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^marginalia could not start: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('the server refuses to start, in one line', () => {
  it('when a file is in the way of the data folder', async () => {
    writeFileSync(path.join(dir, 'data'), 'a file, not a folder');
    expect(await refusal('file:./data/blog.db')).toContain(
      `The data folder ${path.join(dir, 'data')} (from DATABASE_URL) cannot be created: a file is in the way.`,
    );
  });

  it('when DATABASE_URL names a folder', async () => {
    mkdirSync(path.join(dir, 'blog'));
    expect(await refusal('file:./blog')).toContain('which is a folder; name a file');
  });

  it('when the file is not an SQLite database, leaving it untouched', async () => {
    const file = path.join(dir, 'notes.db');
    writeFileSync(file, 'My notes, which are not a database.\n'.repeat(200));
    const before = readFileSync(file);
    expect(await refusal('file:./notes.db')).toContain(`${file} is not an SQLite database, so it was left as it is.`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('when the file is someone else’s SQLite database, leaving it untouched', async () => {
    const file = path.join(dir, 'other.db');
    const other = new Database(file);
    other.exec("CREATE TABLE Post (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO Post (name) VALUES ('theirs')");
    other.close();
    const before = readFileSync(file);
    expect(await refusal('file:./other.db')).toContain('is an SQLite database marginalia did not create');
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

describe('migrating a database that holds data', () => {
  async function existingDatabase() {
    const file = path.join(dir, 'blog.db');
    await applyMigrations(file);
    const db = new Database(file);
    db.exec(`INSERT INTO Post (id, slug, title, bodyMarkdown, bodyHtml, excerpt, authorName, publishedAt, updatedAt) VALUES (1, 'kept', 'Kept', '', '', '', 'A', 0, 0);
      INSERT INTO Comment (postId, authorName, authorEmail, text, textHtml, status, updatedAt) VALUES (1, 'Ada', 'ada@example.com', 'still here', 'still here', 'approved', 0);`);
    db.close();
    return file;
  }

  function migrationsWith(name: string, sql: string): string {
    const extra = path.join(dir, 'migrations');
    cpSync(migrationsDir, extra, { recursive: true });
    mkdirSync(path.join(extra, name));
    writeFileSync(path.join(extra, name, 'migration.sql'), sql);
    return extra;
  }

  const tablesOf = (file: string) => {
    const db = new Database(file, { readonly: true });
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
    ).map((row) => row.name);
    const comments = db.prepare('SELECT text FROM Comment').all();
    const failed = db.prepare('SELECT COUNT(*) AS n FROM _prisma_migrations WHERE finished_at IS NULL').get();
    db.close();
    return { tables, comments, failed };
  };

  it('a migration that fails halfway stops the start with one line and leaves the database as it was', async () => {
    const file = await existingDatabase();
    const before = tablesOf(file);
    // Prisma applies a migration statement by statement: the table would be made before the error.
    const broken = migrationsWith(
      '29990101000000_broken',
      'CREATE TABLE "Extra" ("id" INTEGER NOT NULL PRIMARY KEY);\nTHIS IS NOT SQL;\n',
    );
    const error = await applyMigrations(file, broken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseStartError);
    expect((error as Error).message).toBe(
      `The database migration 29990101000000_broken failed: near "THIS": syntax error. Nothing was changed: the migrations ran on a copy, and ${file} is as it was.`,
    );
    expect(tablesOf(file)).toEqual(before);
    expect(existsSync(`${file}.migrating`)).toBe(false);
  });

  it('a database with a migration left unfinished (by another tool) is refused in plain words, and left as it is', async () => {
    const file = await existingDatabase();
    const db = new Database(file);
    db.prepare(
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('x', 'x', '29980101000000_half_done', 0, 0)",
    ).run();
    db.close();
    const before = tablesOf(file);
    const good = migrationsWith('29990101000000_extra', 'CREATE TABLE "Extra" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    await expect(applyMigrations(file, good)).rejects.toThrow(
      `${file} records the migration 29980101000000_half_done as started but never finished (by an older version or another tool), so it was left as it is.`,
    );
    expect(tablesOf(file)).toEqual(before);
  });

  it('a migration that succeeds replaces the database with the migrated copy, data kept', async () => {
    const file = await existingDatabase();
    const good = migrationsWith('29990101000000_extra', 'CREATE TABLE "Extra" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    expect(await applyMigrations(file, good)).toEqual(['29990101000000_extra']);
    const after = tablesOf(file);
    expect(after.tables).toContain('Extra');
    expect(after.comments).toEqual([{ text: 'still here' }]);
    expect(existsSync(`${file}.migrating`)).toBe(false);
  });
});
