import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../paths';
import type { ImportReport } from './import-report';

export const importFormats = ['wordpress', 'disqus', 'json'] as const;
export type ImportFormat = (typeof importFormats)[number];

/** An import that did not happen; the message is the importer's one line (nothing was written). */
export class ImportFailedError extends Error {
  override name = 'ImportFailedError';
}

const importCli = path.join(projectRoot, 'dist', 'imports', 'import-cli.js');

/**
 * Runs `npm run import` on an uploaded file, in a child process with its own connection: the import
 * is one long transaction, and on the server's own connection every other request's writes would
 * run inside it (and be undone with it if it failed). In its own process it holds SQLite's write
 * lock instead, and the server's writes wait for it, or answer 503, losing nothing.
 */
export function runImport({ databaseFile, format, file, dryRun, fileName = file }: { databaseFile: string; format: ImportFormat; file: string; dryRun: boolean; fileName?: string }): Promise<ImportReport> {
  const child = spawn(process.execPath, [importCli, format, file, '--json', ...(dryRun ? ['--dry-run'] : [])], {
    env: { ...process.env, DATABASE_URL: `file:${databaseFile}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) return resolve(JSON.parse(stdout) as ImportReport);
      const reason = stderr.trim().split('\n').pop()?.replace(/^Import failed, nothing was written: /, '') ?? `the importer exited with ${code}`;
      // An upload's temp path means nothing to the person who sent it; its own name does.
      reject(new ImportFailedError(reason.split(file).join(fileName)));
    });
  });
}
