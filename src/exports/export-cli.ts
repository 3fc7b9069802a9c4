// npm run export -- json <file> | wxr <file> [--url https://your.blog]
// Writes every post and comment of the database named by DATABASE_URL (as the server reads it):
// `json` in marginalia's own format (docs/EXPORT-FORMAT.md; `npm run import -- json` reads it
// back), `wxr` as a WordPress export (WXR 1.2) WordPress's importer reads. Exports hold commenters'
// email and IP addresses: keep them as private as the database.
import { runCommand, withDatabase } from '../command-line';
import { createExportsRepository } from './exports-repository';
import { ExportTargetError, writeJsonExport, writeWxrExport } from './export-writers';

const usage = 'Usage: npm run export -- json <file>   or   npm run export -- wxr <file> [--url https://your.blog]';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const urlAt = args.indexOf('--url');
  const url = urlAt >= 0 ? args[urlAt + 1] : undefined;
  const [format, file] = urlAt >= 0 ? args.filter((_, i) => i !== urlAt && i !== urlAt + 1) : args;
  if ((format !== 'json' && format !== 'wxr') || !file || (urlAt >= 0 && !/^https?:\/\/\S+$/.test(url ?? ''))) {
    console.error(usage);
    return 2;
  }
  return withDatabase(async (db, config) => {
    const repo = createExportsRepository(db);
    const started = Date.now();
    const result =
      format === 'json'
        ? await writeJsonExport(repo, file)
        : await writeWxrExport(repo, file, {
            title: config.SITE_TITLE,
            url: (url ?? `http://localhost:${config.PORT}`).replace(/\/+$/, ''),
          });
    console.log(
      `Exported ${result.posts} posts and ${result.comments} comments to ${file} (${format === 'json' ? 'marginalia JSON' : 'WXR 1.2'}) in ${Date.now() - started} ms.`,
    );
    return 0;
  });
}

runCommand('Export failed', [ExportTargetError], main);
