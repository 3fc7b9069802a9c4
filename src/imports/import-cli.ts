// npm run import -- wordpress|disqus|json <file> [--dry-run] [--json]
// Imports a WordPress, Disqus or marginalia (JSON) export into the database named by DATABASE_URL (as the server reads it) and
// prints what it did. The import is one transaction: while it runs, the server's own writes wait
// (or answer 503), so import into a stopped server, or at a quiet time.
import { existsSync } from 'node:fs';
import { runCommand, withDatabase } from '../command-line';
import { importDisqus } from './disqus-import';
import { importJson } from './json-import';
import type { ImportReport } from './import-report';
import { importFormats, type ImportFormat } from './import-runner';
import { importWordPress } from './wordpress-import';
import { ExportFormatError } from './xml-records';
import { learnerOver } from '../spam-filter/spam-filter-service';
import { createSpamModelRepository } from '../spam-filter/spam-model-repository';

const usage = 'Usage: npm run import -- wordpress|disqus|json <file> [--dry-run]';
const importers: Record<ImportFormat, typeof importJson> = {
  wordpress: importWordPress,
  disqus: importDisqus,
  json: importJson,
};
const sources: Record<ImportFormat, string> = {
  wordpress: 'a WordPress export',
  disqus: 'a Disqus export',
  json: 'a marginalia export',
};
const isImportFormat = (value: string | undefined): value is ImportFormat =>
  importFormats.some((format) => format === value);

function describe(report: ImportReport): string {
  const created = report.comments.created;
  const lines = [
    `${report.dryRun ? 'Dry run (nothing written): would import' : 'Imported'} ${sources[report.format]}${report.format === 'wordpress' ? ` (WXR ${report.version})` : ''}:`,
    `  posts: ${report.posts.created} new, ${report.posts.alreadyImported} already imported`,
    ...(report.terms.categories + report.terms.tags > 0
      ? [`  categories and tags set on them: ${report.terms.categories} categories, ${report.terms.tags} tags`]
      : []),
    `  comments: ${created.approved} approved, ${created.pending} pending, ${created.spam} spam, ${created.trash} trash; ${report.comments.alreadyImported} already imported`,
    `  replies re-attached to the nearest imported ancestor (or the top level): ${report.reattachedReplies}`,
    `  the spam filter ${report.dryRun ? 'would learn' : 'learned'} from ${report.spamFilterLearned} of them (${report.format === 'json' ? 'what the exporting blog’s filter learned' : 'approved as legitimate, spam as spam'})`,
  ];
  const counted = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([reason, count]) => `${count} ${reason}`)
      .join(', ') || 'nothing';
  lines.push(`  skipped: ${counted(report.skipped)}`);
  if (Object.keys(report.dropped).length)
    lines.push(`  left empty, against the forms' rules: ${counted(report.dropped)}`);
  if (report.orphans.length)
    lines.push(
      `  left out, their thread is not in the file: ${report.orphans.length} comment(s) (Disqus ids ${report.orphans.slice(0, 10).join(', ')}${report.orphans.length > 10 ? ', …' : ''})`,
    );
  for (const { from, to } of report.renamedSlugs)
    lines.push(`  the address /posts/${from} was taken here: imported as /posts/${to}`);
  for (const error of report.errors) lines.push(`  left out: ${error}`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  // --json: the report as JSON on stdout, for the admin area and API, which run imports through this.
  const asJson = args.includes('--json');
  const [format, file] = args.filter((arg) => arg !== '--dry-run' && arg !== '--json');
  if (!isImportFormat(format) || !file) {
    console.error(usage);
    return 2;
  }
  if (!existsSync(file)) {
    console.error(`Import failed: there is no file ${file}.`);
    return 1;
  }
  let last = 0;
  // The progress line is cleared before the report, and also if the import fails.
  const clearProgress = (): void => void (process.stderr.isTTY && process.stderr.write('\r\u001B[K'));
  return withDatabase(async (db) => {
    const report = await importers[format](db, file, {
      dryRun,
      onProgress: ({ posts, comments }) => {
        if (!process.stderr.isTTY || Date.now() - last < 250) return;
        last = Date.now();
        process.stderr.write(
          `\rReading… ${posts.toLocaleString('en-US')} items, ${comments.toLocaleString('en-US')} comments`,
        );
      },
    });
    // After the import's own transaction: a WordPress or Disqus history's approved and spam
    // comments teach the spam filter; a marginalia export's labels are learned by retraining.
    const learner = learnerOver(createSpamModelRepository(db));
    if (format !== 'json')
      report.spamFilterLearned = dryRun
        ? report.comments.created.approved + report.comments.created.spam
        : await learner.learnImported();
    else if (!dryRun && report.spamFilterLearned > 0) await learner.retrain();
    clearProgress();
    console.log(asJson ? JSON.stringify(report) : describe(report));
    return 0;
  }).finally(clearProgress);
}

runCommand('Import failed, nothing was written', [ExportFormatError], main);
