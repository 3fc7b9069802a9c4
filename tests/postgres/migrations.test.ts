import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { DatabaseStartError, readMigrationList } from '../../src/db/migrations';
import { applyPostgresMigrations, postgresMigrationsDir, postgresSchemaPath } from '../../src/db/postgres-migrations';
import { noFilters, withSchemaEngine } from '../../src/db/schema-engine';
import { createPostgresDatabase, dropPostgresDatabase, queryPostgres, withPostgres } from '../helpers/test-database';

// Migrations on PostgreSQL: applied once however many instances start together, all or nothing,
// and leaving the database exactly as prisma/postgres/schema.prisma describes.

let url: string;
beforeEach(async () => {
  url = await createPostgresDatabase();
});
afterEach(() => dropPostgresDatabase(url));

const query = <T extends pg.QueryResultRow>(sql: string) => queryPostgres<T>(url, sql);

it('are applied once when several instances start together', async () => {
  const results = await Promise.all([1, 2, 3, 4].map(() => applyPostgresMigrations(url)));
  const applying = results.filter((names) => names.length > 0);
  expect(applying).toHaveLength(1);
  expect(results.filter((names) => names.length === 0)).toHaveLength(3);
  const rows = await query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations"');
  expect(rows.map((row) => row.migration_name).sort()).toEqual(applying[0]!.slice().sort());
});

it('leave the database as it was when one fails, and say which', async () => {
  await applyPostgresMigrations(url);
  const dir = mkdtempSync(path.join(tmpdir(), 'marginalia-pg-migrations-'));
  try {
    cpSync(postgresMigrationsDir, dir, { recursive: true });
    mkdirSync(path.join(dir, '29990101000000_first_fine'));
    writeFileSync(path.join(dir, '29990101000000_first_fine', 'migration.sql'), 'CREATE TABLE "Fine" ("id" INTEGER);');
    mkdirSync(path.join(dir, '29990101000001_then_broken'));
    writeFileSync(
      path.join(dir, '29990101000001_then_broken', 'migration.sql'),
      'ALTER TABLE "Comment" ADD COLUMN "mood" TEXT;\nALTER TABLE "NoSuchTable" ADD COLUMN "x" TEXT;',
    );
    const failure = applyPostgresMigrations(url, dir);
    await expect(failure).rejects.toThrow(DatabaseStartError);
    await expect(failure).rejects.toThrow(/29990101000001_then_broken failed: .*NoSuchTable.*Nothing was changed/);
    const tables = await query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_name = 'Fine'",
    );
    expect(tables).toEqual([]);
    const columns = await query<{ name: string }>(
      "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'Comment' AND column_name = 'mood'",
    );
    expect(columns).toEqual([]);
    const recorded = await query<{ n: string }>('SELECT COUNT(*) AS n FROM "_prisma_migrations"');
    expect(Number(recorded[0]!.n)).toBe(readMigrationList(postgresMigrationsDir).migrationDirectories.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('rewrite IPv4 addresses an older release stored in the mapped form (privacy_tools), and no other', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'marginalia-pg-migrations-'));
  try {
    for (const folder of readMigrationList(postgresMigrationsDir).migrationDirectories) {
      if (folder.path.endsWith('_privacy_tools')) break;
      cpSync(path.join(postgresMigrationsDir, folder.path), path.join(dir, folder.path), { recursive: true });
    }
    cpSync(path.join(postgresMigrationsDir, 'migration_lock.toml'), path.join(dir, 'migration_lock.toml'));
    await applyPostgresMigrations(url, dir);
    await query(`INSERT INTO "Post" (id, slug, title, "bodyMarkdown", "bodyHtml", excerpt, "authorName", "publishedAt", "updatedAt")
      VALUES (1, 'p', 'P', '', '', '', 'A', now(), now())`);
    await query(`INSERT INTO "Comment" ("postId", "authorName", "authorEmail", text, "textHtml", status, "ipAddress", "updatedAt")
      VALUES ${['::ffff:203.0.113.5', '::FFFF:198.51.100.2', '2001:db8::1', '203.0.113.9', '::ffff:7f00:1']
        .map((address) => `(1, 'N', 'n@example.com', 't', 't', 'approved', '${address}', now())`)
        .join(', ')}, (1, 'N', 'n@example.com', 't', 't', 'approved', NULL, now())`);
    await query(`UPDATE "Comment" SET "authorEmail" = 'N@Example.COM' WHERE id = (SELECT min(id) FROM "Comment")`);
    // privacy_tools first, then any migration made after it.
    expect((await applyPostgresMigrations(url))[0]).toMatch(/_privacy_tools$/);
    const emails = await query<{ authorEmail: string }>('SELECT DISTINCT "authorEmail" FROM "Comment"');
    expect(emails.map((row) => row.authorEmail)).toEqual(['n@example.com']);
    const rows = await query<{ ipAddress: string | null }>('SELECT "ipAddress" FROM "Comment" ORDER BY id');
    expect(rows.map((row) => row.ipAddress)).toEqual([
      '203.0.113.5',
      '198.51.100.2',
      '2001:db8::1',
      '203.0.113.9',
      '::ffff:7f00:1',
      null,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Indexes Prisma's schema cannot describe (on expressions; pg_trgm's for the search): they live
// in migrations only.
const expressionIndexes = ['Comment_duplicates_idx', 'Comment_search_idx'];

it('leave the database as the PostgreSQL schema describes it (no drift between schema and migrations)', async () => {
  // What Prisma would create for the schema, in a second database, against what the migrations made.
  // (The schema engine cannot read a PostgreSQL database back through the driver adapter.)
  await applyPostgresMigrations(url);
  const schema = { path: postgresSchemaPath, content: readFileSync(postgresSchemaPath, 'utf8') };
  const { stdout } = await withSchemaEngine(postgresSchemaPath, new PrismaPg({ connectionString: url }), (engine) =>
    engine.diff({
      from: { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: false,
      filters: noFilters,
    }),
  );
  const fromSchema = await createPostgresDatabase();
  try {
    const shape = (databaseUrl: string) =>
      withPostgres(databaseUrl, async (client) => {
        if (databaseUrl === fromSchema) await client.query(stdout ?? '');
        const columns = await client.query(
          `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1, 2`,
        );
        const indexes = await client.query(
          `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
           AND indexname NOT IN (${expressionIndexes.map((name) => `'${name}'`).join(', ')}) ORDER BY 1`,
        );
        const constraints = await client.query(
          `SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
           WHERE connamespace = 'public'::regnamespace AND conname NOT LIKE '\\_prisma%' ORDER BY 1`,
        );
        return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
      });
    const migrated = await shape(url);
    expect(migrated.columns.length).toBeGreaterThan(40);
    expect(migrated).toEqual(await shape(fromSchema));
  } finally {
    await dropPostgresDatabase(fromSchema);
  }
});
