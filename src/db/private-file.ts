import { closeSync, openSync } from 'node:fs';

/**
 * Creates an empty file only its owner can read and write, for SQLite to fill: the database, a
 * migration's copy, a backup (each holds commenters' email and IP addresses). SQLite keeps a
 * file's mode, and gives its write-ahead log and index the database's own. Fails if the file exists.
 */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'wx', 0o600));
}
