import { readFileSync } from 'node:fs';
import { readMigrationList, schemaPath } from '../../src/db/migrations';
import { postgresMigrationsDir, postgresSchemaPath } from '../../src/db/postgres-migrations';

// Prisma needs one schema per engine: prisma/schema.prisma (SQLite) and prisma/postgres/schema.prisma.
// Everything below their datasource blocks (every model, field, relation and index) must be the
// same text, and what the SQLite migrations add beyond Prisma's schema, PostgreSQL's must add too.

const models = (file: string) => {
  const text = readFileSync(file, 'utf8');
  return text.slice(text.indexOf('\nmodel '));
};

it('describe the same models on both engines', () => {
  expect(models(postgresSchemaPath)).toBe(models(schemaPath));
  expect(readFileSync(postgresSchemaPath, 'utf8')).toMatch(/provider = "postgresql"/);
});

it('create on PostgreSQL what the SQLite migrations add beyond the schema: the expression index, the search index, the count and outbox triggers', () => {
  const all = (dir?: string) =>
    readMigrationList(dir)
      .migrationDirectories.map((migration) =>
        migration.migrationFile.content.tag === 'ok' ? migration.migrationFile.content.value : '',
      )
      .join('\n');
  const sqlite = all();
  const postgres = all(postgresMigrationsDir);
  const named = (sql: string, pattern: RegExp) => [...sql.matchAll(pattern)].map((match) => match[1]).sort();
  /** The indexes a migration history leaves, in the order it creates and drops them. */
  const indexesLeft = (sql: string) => {
    const left = new Set<string>();
    for (const [, verb, name] of sql.matchAll(/(CREATE|DROP) INDEX "(\w+)"/g))
      if (verb === 'CREATE') left.add(name!);
      else left.delete(name!);
    return [...left].sort();
  };
  // The comments' search index is an FTS5 table on SQLite and a pg_trgm index on PostgreSQL,
  // over the same columns; every other index has the same name on both.
  const searchIndex = 'Comment_search_idx';
  expect(indexesLeft(postgres).filter((name) => name !== searchIndex)).toEqual(indexesLeft(sqlite));
  const columns = (list: string) => [...list.matchAll(/"(\w+)"/g)].map((match) => match[1]);
  const searched = /CREATE VIRTUAL TABLE "CommentSearch" USING fts5\(([^)]*?),\s*content=/.exec(sqlite)?.[1];
  const trigrams = new RegExp(`CREATE INDEX "${searchIndex}" ON "Comment" USING GIN \\(([^)]*)\\)`).exec(postgres)?.[1];
  expect(columns(trigrams ?? '')).toEqual(columns(searched ?? ''));
  expect(columns(searched ?? '')).toEqual(['authorName', 'authorEmail', 'authorUrl', 'text']);
  expect(named(sqlite, /CREATE TRIGGER "(Comment_counts\w+)"/g).length).toBeGreaterThan(0);
  expect(named(postgres, /CREATE TRIGGER "(Comment_counts\w+)"/g).length).toBeGreaterThan(0);
  // The outbox's events are written by triggers on both engines, under the same names.
  expect(named(sqlite, /CREATE TRIGGER "(Comment_outbox\w+)"/g)).toEqual([
    'Comment_outbox_created',
    'Comment_outbox_status',
  ]);
  expect(named(postgres, /CREATE TRIGGER "(Comment_outbox\w+)"/g)).toEqual(
    named(sqlite, /CREATE TRIGGER "(Comment_outbox\w+)"/g),
  );
});
