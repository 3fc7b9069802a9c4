import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createPrivateFile, makeFolderFor } from '../db/private-file';
import path from 'node:path';
import type { DatabaseLocation } from '../shared/database-location';
import { backupsRepository } from './backups-repository';
import { dumpPostgres, PostgresDumpError } from './postgres-dump';

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
}

/** A backup that could not be made; the message says why, in one line. */
export class BackupError extends Error {
  override name = 'BackupError';
}

/**
 * Copies the database to `target` while the server runs, and checks the copy: on SQLite, its
 * `VACUUM INTO` through a read-only connection, then `PRAGMA integrity_check` on the copy; on
 * PostgreSQL, `pg_dump` in its custom format (one snapshot), then `pg_restore --list` on the copy.
 * The copy is written under a temporary name and renamed when checked, so a file with the final
 * name is always a good backup.
 */
export async function backUpDatabase(
  database: DatabaseLocation,
  target: string,
  now = () => Date.now(),
): Promise<BackupResult> {
  if (database.engine === 'sqlite' && !existsSync(database.file))
    throw new BackupError(`There is no database at ${database.file} (check DATABASE_URL).`);
  if (existsSync(target))
    throw new BackupError(`${target} already exists; choose a new file name (a backup never overwrites a file).`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const started = now();
  try {
    makeFolderFor(target);
    createPrivateFile(partial);
    if (database.engine === 'postgres') {
      await dumpPostgres(database.url, partial).catch((error: unknown) => {
        throw error instanceof PostgresDumpError ? new BackupError(error.message) : error;
      });
    } else {
      await backupsRepository.copyDatabase(database.file, partial);
      const problems = await backupsRepository.integrityCheck(partial);
      if (problems.join() !== 'ok')
        throw new BackupError(`The copy failed SQLite's integrity check: ${problems.slice(0, 3).join('; ')}`);
    }
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return { file: target, bytes: statSync(target).size, ms: now() - started };
}

// Automatic backups are named by the time they were made, so names sort oldest first: `.db` for
// an SQLite copy, `.dump` for a PostgreSQL dump (pg_restore reads it).
const backupName = /^marginalia-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.(?:db|dump)$/;

/** The file name of an automatic backup made at `when` of a database on `engine`. */
export function automaticBackupName(when: Date, engine: DatabaseLocation['engine'] = 'sqlite'): string {
  return `marginalia-${when.toISOString().slice(0, 19).replace(/:/g, '-')}Z.${engine === 'sqlite' ? 'db' : 'dump'}`;
}

/** The automatic backups in `dir`, oldest first. */
export function listAutomaticBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => backupName.test(name))
    .sort();
}

/** When the newest automatic backup in `dir` was made, or null. */
export function newestAutomaticBackupTime(dir: string): Date | null {
  const newest = listAutomaticBackups(dir).at(-1);
  if (!newest) return null;
  const [date, time] = newest.slice('marginalia-'.length, newest.lastIndexOf('Z.')).split('T') as [string, string];
  return new Date(`${date}T${time.replace(/-/g, ':')}Z`);
}

/** Deletes the oldest automatic backups beyond `keep`; returns the names deleted. */
export function pruneAutomaticBackups(dir: string, keep: number): string[] {
  const backups = listAutomaticBackups(dir);
  const doomed = backups.slice(0, Math.max(0, backups.length - keep));
  for (const name of doomed) rmSync(path.join(dir, name), { force: true });
  return doomed;
}
