// npm run db:new-migration -- <name>
// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the committed
// migrations to what prisma/schema.prisma now describes. Works offline: it uses Prisma's schema
// engine compiled to WebAssembly (see src/db/migrations.ts) on a scratch database in a temp folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const name = (process.argv[2] ?? '').trim();
if (!/^[a-z0-9_]+$/.test(name)) {
  console.error('Usage: npm run db:new-migration -- <name>   (lower-case letters, digits and _ only)');
  process.exit(2);
}

const build = spawnSync(process.execPath, ['scripts/build-if-changed.cjs'], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const { applyMigrations, diffDatabaseToSchema, isEmptyMigration, migrationsDir } = createRequire(import.meta.url)(
  '../dist/db/migrations.js',
);
const scratchDir = mkdtempSync(join(tmpdir(), 'marginalia-migration-'));
const scratchDb = join(scratchDir, 'scratch.db');
let sql;
try {
  await applyMigrations(scratchDb);
  sql = await diffDatabaseToSchema(scratchDb);
} finally {
  rmSync(scratchDir, { recursive: true, force: true });
}
if (isEmptyMigration(sql)) {
  console.log('prisma/schema.prisma and prisma/migrations already agree: no migration written.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const folder = join(migrationsDir, `${stamp}_${name}`);
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, 'migration.sql'), sql);
console.log(`Wrote ${join('prisma', 'migrations', `${stamp}_${name}`, 'migration.sql')}; review it, then commit it.`);
