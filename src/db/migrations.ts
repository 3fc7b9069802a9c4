import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import type { DiffTarget, MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { projectRoot } from '../paths';
import { createPrivateFile } from './private-file';
import { noFilters, withSchemaEngine } from './schema-engine';

// SQLite's migrations, through Prisma's schema engine compiled to WebAssembly (schema-engine.ts):
// it keeps the same `_prisma_migrations` table and folder layout as `prisma migrate deploy`, so
// either route can migrate a database the other one started.

export const schemaPath = path.join(projectRoot, 'prisma', 'schema.prisma');
export const migrationsDir = path.join(projectRoot, 'prisma', 'migrations');

/** Runs `work` with the schema engine opened on the SQLite file at `databaseFile`. */
function withSqliteSchemaEngine<T>(databaseFile: string, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  return withSchemaEngine(schemaPath, new PrismaBetterSqlite3({ url: databaseFile }), work);
}

/** The committed migration folders, oldest first, in the form the schema engine reads. */
export function readMigrationList(dir = migrationsDir): MigrationList {
  const lockfilePath = path.join(dir, 'migration_lock.toml');
  const folders = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
        .map((entry) => entry.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: lockfilePath, content: existsSync(lockfilePath) ? readFileSync(lockfilePath, 'utf8') : null },
    shadowDbInitScript: '',
    // The engine records a migration under the path given here; the bare folder name is what
    // `prisma migrate deploy` records, and it keeps a database valid if the project moves.
    migrationDirectories: folders.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

/** A database marginalia cannot start on; the message is one line a person can act on. */
export class DatabaseStartError extends Error {
  override name = 'DatabaseStartError';
}

/**
 * Applies every committed migration (in `dir`) the database at `databaseFile` lacks; returns
 * their names. A database that already holds data is never migrated in place: Prisma applies a
 * migration's statements one by one, outside a transaction, so a migration failing halfway would
 * leave it half changed. The migrations run on a consistent copy instead, which replaces the
 * original (one atomic rename) only when all of them succeeded.
 */
export async function applyMigrations(databaseFile: string, dir = migrationsDir): Promise<string[]> {
  const migrations = readMigrationList(dir);
  // Loading the engine is slow and its memory is never given back; an up-to-date database (the
  // usual restart) does not need it.
  if (allRecordedAsApplied(databaseFile, migrations)) return [];
  if (!existsSync(databaseFile) || statSync(databaseFile).size === 0) {
    try {
      return await runMigrations(databaseFile, migrations);
    } catch (error) {
      removeDatabaseFiles(databaseFile); // a new database that could not be made: start clean next time
      throw error;
    }
  }
  return migrateACopy(databaseFile, migrations);
}

async function runMigrations(databaseFile: string, migrations: MigrationList): Promise<string[]> {
  try {
    const result = await withSqliteSchemaEngine(databaseFile, (engine) =>
      engine.applyMigrations({ migrationsList: migrations, filters: noFilters }),
    );
    return result.appliedMigrationNames;
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    const failed = /migration_name="([^"]+)"/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new DatabaseStartError(
      `${failed ? `The database migration ${failed}` : 'A database migration'} failed: ${reason}.`,
    );
  }
}

async function migrateACopy(databaseFile: string, migrations: MigrationList): Promise<string[]> {
  // Prisma refuses such a database with a message about "migrate resolve"; say it plainly.
  const unfinished = unfinishedMigration(databaseFile);
  if (unfinished) {
    throw new DatabaseStartError(
      `${databaseFile} records the migration ${unfinished} as started but never finished (by an older version or another tool), so it was left as it is. Restore it from a backup made before that migration, then start again.`,
    );
  }
  const copy = `${databaseFile}.migrating`;
  removeDatabaseFiles(copy);
  createPrivateFile(copy);
  const original = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    original.prepare('VACUUM INTO ?').run(copy);
  } finally {
    original.close();
  }
  let applied: string[];
  try {
    applied = await runMigrations(copy, migrations);
  } catch (error) {
    removeDatabaseFiles(copy);
    throw new DatabaseStartError(
      `${(error as Error).message} Nothing was changed: the migrations ran on a copy, and ${databaseFile} is as it was.`,
    );
  }
  // The copy may replace the original only if nothing else has it open: fold the original's
  // write-ahead log into it; SQLite removes the log when the last connection closes.
  const check = new Database(databaseFile, { fileMustExist: true });
  check.pragma('wal_checkpoint(TRUNCATE)');
  check.close();
  if (existsSync(`${databaseFile}-wal`)) {
    removeDatabaseFiles(copy);
    throw new DatabaseStartError(
      `Another process has ${databaseFile} open (another marginalia server, a backup, the sqlite3 shell), so it cannot be upgraded now; stop it and start marginalia again. Nothing was changed.`,
    );
  }
  rmSync(`${databaseFile}-shm`, { force: true });
  renameSync(copy, databaseFile);
  return applied;
}

/** A migration recorded as begun but neither finished nor rolled back, if any. */
function unfinishedMigration(databaseFile: string): string | null {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get())
      return null;
    const row = db
      .prepare(
        'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL LIMIT 1',
      )
      .get() as { name: string } | undefined;
    return row?.name ?? null;
  } finally {
    db.close();
  }
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

/** Whether every committed migration is recorded as finished (and none rolled back) in the database. */
function allRecordedAsApplied(databaseFile: string, migrations: MigrationList): boolean {
  if (!existsSync(databaseFile)) return false;
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
      .get();
    if (!hasTable) return false;
    const rows = db
      .prepare(
        'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      )
      .all() as { name: string }[];
    const applied = new Set(rows.map((row) => row.name));
    return migrations.migrationDirectories.every((directory) => applied.has(directory.path));
  } finally {
    db.close();
  }
}

const emptyMigration = '-- This is an empty migration.';

/** True when a diff script changes nothing. */
export function isEmptyMigration(sql: string): boolean {
  return sql.trim() === '' || sql.trim() === emptyMigration;
}

/** The SQL that would bring the database at `databaseFile` to what schema.prisma describes. */
export async function diffDatabaseToSchema(databaseFile: string): Promise<string> {
  return diffToSchema(databaseFile, { tag: 'schemaDatasource', files: readSchemaFiles(), configDir: projectRoot });
}

function readSchemaFiles(): { path: string; content: string }[] {
  return [{ path: schemaPath, content: readFileSync(schemaPath, 'utf8') }];
}

async function diffToSchema(databaseFile: string, from: DiffTarget): Promise<string> {
  const filters = { ...noFilters, externalTables: tablesOutsideTheSchema(databaseFile) };
  const result = await withSqliteSchemaEngine(databaseFile, (engine) =>
    engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: readSchemaFiles() },
      script: true,
      exitCode: false,
      filters,
    }),
  );
  return result.stdout ?? '';
}

/**
 * The tables Prisma's schema cannot describe, which its diff must leave alone (it would drop
 * them): virtual tables (the comments' search index) and the shadow tables holding their data.
 */
function tablesOutsideTheSchema(databaseFile: string): string[] {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare('PRAGMA table_list').all() as { schema: string; name: string; type: string }[];
    return tables
      .filter((table) => table.schema === 'main' && (table.type === 'virtual' || table.type === 'shadow'))
      .map((table) => table.name);
  } finally {
    db.close();
  }
}
