import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

/**
 * Creates an empty file only its owner can read and write, for SQLite to fill: the database, a
 * migration's copy, a backup (each holds commenters' email and IP addresses). SQLite keeps a
 * file's mode, and gives its write-ahead log and index the database's own. Fails if the file exists.
 */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'wx', 0o600));
}

/** Makes the folder `file` goes in, and any above it, only its owner can open (those it makes). */
export function makeFolderFor(file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
}
