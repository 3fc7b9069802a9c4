import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { runToolInChild } from '../command-line';
import { projectRoot } from '../paths';
import type { DatabaseLocation } from '../shared/database-location';
import { automaticBackupName, newestAutomaticBackupTime, pruneAutomaticBackups } from './backup-service';

export interface BackupScheduleOptions {
  database: DatabaseLocation;
  dir: string;
  keep: number;
  intervalHours: number;
  logger: Logger;
  now?: () => Date;
  /**
   * Whether this process is the one to make the backup due now; several processes on one
   * PostgreSQL database ask, and one makes it (scheduled-runs-repository.ts). Always yes unless given.
   */
  claim?: (now: Date, everyMs: number) => Promise<boolean>;
}

const backupCli = path.join(projectRoot, 'dist', 'backups', 'backup-cli.js');

/**
 * Automatic backups (BACKUP_DIR): one when the newest is older than the interval (so at start, if
 * none is recent), then one per interval; the oldest beyond BACKUP_KEEP are deleted. Each backup
 * runs `npm run backup` in a child process: the SQLite driver works synchronously, so copying a
 * large database on the server's own thread would stop every request for as long as it took.
 * Returns a function that cancels the schedule.
 */
export function scheduleBackups({
  database,
  dir,
  keep,
  intervalHours,
  logger,
  now = () => new Date(),
  claim = () => Promise.resolve(true),
}: BackupScheduleOptions): () => void {
  const intervalMs = intervalHours * 3_600_000;
  let timer: NodeJS.Timeout | undefined;

  // Never throws: a failed backup is logged, and the next one is still scheduled.
  const runOnce = async (): Promise<void> => {
    const target = path.join(dir, automaticBackupName(now(), database.engine));
    try {
      // Another process made this one; a few minutes' slack, so clocks and start-up times that
      // differ a little between processes never make two backups of one interval.
      if (!(await claim(now(), Math.max(0, intervalMs - 5 * 60_000)))) {
        logger.info('automatic backup: made by another server process on this database');
        return;
      }
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const run = await runToolInChild(backupCli, [target], database);
      const output = `${run.stdout}${run.stderr}`.trim();
      if (run.code === 0)
        logger.info({ file: path.basename(target), pruned: pruneAutomaticBackups(dir, keep) }, output);
      else logger.error({ file: path.basename(target) }, `automatic backup failed: ${output}`);
    } catch (error) {
      logger.error({ file: path.basename(target), err: error }, `automatic backup failed: ${(error as Error).message}`);
    }
  };

  const scheduleNext = (delayMs: number): void => {
    timer = setTimeout(() => void runOnce().then(() => scheduleNext(intervalMs)), delayMs);
    timer.unref();
  };
  const newest = newestAutomaticBackupTime(dir);
  scheduleNext(newest ? Math.max(0, newest.getTime() + intervalMs - now().getTime()) : 0);
  return () => clearTimeout(timer);
}
