// Runs `prisma generate` on install, for both engines' schemas. Generating the client never executes Prisma's native schema
// engine, but the CLI insists the file exists, and offline machines cannot download it. When the
// engine is absent we point the CLI at an executable that does exist (this Node binary).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const enginesDir = join('node_modules', '@prisma', 'engines');
const hasNativeEngine =
  existsSync(enginesDir) && readdirSync(enginesDir).some((name) => name.startsWith('schema-engine'));

const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!hasNativeEngine && !env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

// One client per engine: prisma/schema.prisma (SQLite) and prisma/postgres/schema.prisma.
for (const schema of [join('prisma', 'schema.prisma'), join('prisma', 'postgres', 'schema.prisma')]) {
  const result = spawnSync(
    process.execPath,
    [join('node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', schema],
    { stdio: 'inherit', env },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
