import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../paths';
import { DatabaseStartError, readMigrationList } from './migrations';

// PostgreSQL's migrations are applied by this module, not by Prisma's schema engine: through a
// driver adapter the engine splits a migration at every ";" (so a function body cannot be
// written) and runs the pieces on whatever pooled connection is free, outside any transaction.
// Here all pending migrations run in one transaction on one connection, under a lock: instances
// starting together apply them once, and a migration that fails leaves the database as it was
// (PostgreSQL's DDL is transactional). The `_prisma_migrations` table is Prisma's own, so
// `prisma migrate deploy` and this module can each carry on where the other stopped.

export const postgresSchemaPath = path.join(projectRoot, 'prisma', 'postgres', 'schema.prisma');
export const postgresMigrationsDir = path.join(projectRoot, 'prisma', 'postgres', 'migrations');

/** Any number fixed for this purpose: the key of the session lock migrating instances take. */
const migrationLockKey = 727_462_019;

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Applies the committed PostgreSQL migrations the database at `url` lacks; returns their names. */
export async function applyPostgresMigrations(url: string, dir = postgresMigrationsDir): Promise<string[]> {
  const migrations = readMigrationList(dir).migrationDirectories;
  const client = new pg.Client({ connectionString: url, application_name: 'marginalia-migrations' });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Held to the end of this transaction: a second instance waits here, then finds nothing to do.
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
    await client.query(createMigrationsTable);
    const { rows } = await client.query<{ name: string }>(
      'SELECT migration_name AS name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((row) => row.name));
    const pending = migrations.filter((migration) => !applied.has(migration.path));
    for (const migration of pending) {
      const sql = migration.migrationFile.content.tag === 'ok' ? migration.migrationFile.content.value : '';
      try {
        await client.query(sql);
      } catch (error) {
        throw new DatabaseStartError(
          `The database migration ${migration.path} failed: ${(error as Error).message}. Nothing was changed: the migrations run in one transaction.`,
        );
      }
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), now(), 1)`,
        [randomUUID(), createHash('sha256').update(sql).digest('hex'), migration.path],
      );
    }
    await client.query('COMMIT');
    return pending.map((migration) => migration.path);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
