// npm run commenter -- export <email> <file>   |   npm run commenter -- erase <email> anonymize|delete
// A commenter's data, from the database named by DATABASE_URL (as the server reads it): everything
// stored under the address as one JSON document (written only its owner can read: it holds the
// address and IPs), or erased. The same as the admin area's /admin/commenters and the admin API.
import { learnerOver } from '../spam-filter/spam-filter-service';
import { createSpamModelRepository } from '../spam-filter/spam-model-repository';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { runCommand, withDatabase } from '../command-line';
import { makeFolderFor } from '../db/private-file';
import { noPageChanges } from '../shared/page-changes';
import { systemClock } from '../shared/clock';
import { createCommenterDataRepository } from './commenter-data-repository';
import { createCommenterDataService, erasureModes, type ErasureMode } from './commenter-data-service';

const usage =
  'Usage: npm run commenter -- export <email> <file>   or   npm run commenter -- erase <email> anonymize|delete';

class TargetExistsError extends Error {}

/** "1 comment", "2 comments". */
const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

async function main(): Promise<number> {
  const [action, email, target] = process.argv.slice(2);
  const valid =
    email &&
    email.length <= 254 &&
    ((action === 'export' && target) || (action === 'erase' && erasureModes.includes(target as ErasureMode)));
  if (!valid) {
    console.error(usage);
    return 2;
  }
  return withDatabase(async (db, config) => {
    const commenterData = createCommenterDataService({
      repo: createCommenterDataRepository(db),
      clock: systemClock,
      // A running server sees the change itself (it watches the database for other writers).
      pageChanges: noPageChanges,
      ipRetentionDays: config.IP_RETENTION_DAYS,
      spamFilter: learnerOver(createSpamModelRepository(db)),
    });
    if (action === 'export') {
      const data = await commenterData.exportData(email);
      makeFolderFor(target!);
      const out = createWriteStream(target!, { flags: 'wx', mode: 0o600 });
      const opened = await Promise.race([
        once(out, 'open').then(() => true),
        once(out, 'error').then(([error]) => {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST')
            throw new TargetExistsError(`${target} already exists; choose a new file name.`);
          throw error as Error;
        }),
      ]);
      if (opened) out.end(`${JSON.stringify(data, null, 2)}\n`);
      await once(out, 'finish');
      console.log(
        `Exported ${counted(data.comments.length, 'comment')}, ${counted(data.subscriptions.length, 'subscription')} and ${counted(data.mail.length, 'mail')} to ${target}.`,
      );
      return 0;
    }
    const erased = await commenterData.erase(email, target as ErasureMode, 'command line');
    console.log(
      `Erased: ${counted(erased.anonymized, 'comment')} anonymized, ${erased.deleted} deleted, ${erased.keptAsPlaceholders} kept as placeholders, ${counted(erased.subscriptions, 'subscription')} ended.`,
    );
    return 0;
  });
}

runCommand('Commenter data', [TargetExistsError], main);
