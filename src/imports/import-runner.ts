import path from 'node:path';
import { runToolInChild } from '../command-line';
import { AppError, ConflictError } from '../errors';
import { projectRoot } from '../paths';
import type { PublicPageChanges } from '../shared/page-changes';
import type { ImportReport } from './import-report';
import type { ExclusiveWork } from '../db/exclusive-work';
import type { DatabaseLocation } from '../shared/database-location';

export const importFormats = ['wordpress', 'disqus', 'json'] as const;
export type ImportFormat = (typeof importFormats)[number];

/** 422: an import that did not happen (nothing was written); the message ends with the importer's one-line reason. */
export class ImportFailedError extends AppError {
  constructor(reason: string) {
    super(422, 'import_failed', `Nothing was imported: ${reason}`);
  }
}

export const importAlreadyRunning = 'Another import is running. Please try again when it has finished.';

const importCli = path.join(projectRoot, 'dist', 'imports', 'import-cli.js');

/**
 * Runs `npm run import` on an uploaded file, in a child process with its own connection: the import
 * is one long transaction, and on the server's own connection every other request's writes would
 * run inside it (and be undone with it if it failed). In its own process it holds SQLite's write
 * lock instead, and the server's writes wait for it, or answer 503, losing nothing.
 */
export async function runImport({
  database,
  format,
  file,
  dryRun,
  fileName = file,
}: {
  database: DatabaseLocation;
  format: ImportFormat;
  file: string;
  dryRun: boolean;
  fileName?: string;
}): Promise<ImportReport> {
  const run = await runToolInChild(importCli, [format, file, '--json', ...(dryRun ? ['--dry-run'] : [])], database);
  if (run.code === 0) return JSON.parse(run.stdout) as ImportReport;
  const reason =
    run.stderr
      .trim()
      .split('\n')
      .pop()
      ?.replace(/^Import failed, nothing was written: /, '') ||
    `the importer stopped unexpectedly (exit code ${run.code ?? 'none'}).`;
  // An upload's temp path means nothing to the person who sent it; its own name does.
  throw new ImportFailedError(reason.split(file).join(fileName));
}

export type Imports = ReturnType<typeof createImports>;

/**
 * Imports as the admin area and API run them: in a child process (`runImport`), and then every
 * public page is told it changed, since an import may add posts and comments anywhere.
 */
export function createImports({
  database,
  pageChanges,
  exclusiveWork,
}: {
  database: DatabaseLocation;
  pageChanges: PublicPageChanges;
  /** One import at a time, across every server process on the database. */
  exclusiveWork: ExclusiveWork;
}) {
  // One import at a time: each runs in a process of its own, with its own memory, and two
  // writing one database would only wait for each other.
  return {
    async run(request: {
      format: ImportFormat;
      file: string;
      dryRun: boolean;
      fileName?: string;
    }): Promise<ImportReport> {
      const report = await exclusiveWork('import', () => runImport({ database, ...request }));
      if (!report) throw new ConflictError(importAlreadyRunning, 'import_running');
      if (!report.dryRun) pageChanges.everythingChanged();
      return report;
    },
  };
}
