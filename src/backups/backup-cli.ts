// npm run backup -- <file>
// Writes a consistent copy of the database named by DATABASE_URL (from the environment or .env,
// as the server reads it) to <file>, while the server runs or not, and checks the copy.
import path from 'node:path';
import { runCommand } from '../command-line';
import { loadConfig, readEnvironment } from '../config';
import { backUpDatabase, BackupError } from './backup-service';

async function main(): Promise<number> {
  const target = process.argv[2];
  if (!target) {
    console.error('Usage: npm run backup -- <file>   (e.g. npm run backup -- backups/blog-2026-11-29.db)');
    return 2;
  }
  const config = loadConfig(readEnvironment());
  const result = await backUpDatabase(config.database, path.resolve(target));
  // A small blog's dump is tens of KB: "0.0 MB" would read as empty.
  const size =
    result.bytes < 1024 * 1024
      ? `${Math.max(1, Math.round(result.bytes / 1024))} KB`
      : `${(result.bytes / 1024 / 1024).toFixed(1)} MB`;
  const source = config.database.engine === 'sqlite' ? config.database.file : 'the PostgreSQL database';
  const check = config.database.engine === 'sqlite' ? 'integrity check ok' : 'pg_restore --list ok';
  console.log(`Backed up ${source} to ${result.file}: ${size} in ${result.ms} ms, ${check}.`);
  return 0;
}

runCommand('Backup failed', [BackupError], main);
