import { emptySpamCounts, learn, score, type SpamLabel } from './naive-bayes';
import { spamTokensOf, type SpamInput } from './spam-tokens';

/** A comment (or a mail standing in for one) whose kind is known. */
export interface LabeledExample extends SpamInput {
  label: SpamLabel;
}

/** Where the score decides: at or above `spam`, spam; at or below `ham`, ham; between, unsure (held). */
export interface SpamThresholds {
  ham: number;
  spam: number;
}

/** SpamBayes's defaults (ham_cutoff, spam_cutoff). */
export const defaultThresholds: SpamThresholds = { ham: 0.2, spam: 0.9 };

export interface EvaluationResult {
  folds: number;
  spam: number;
  ham: number;
  /** Spam scored spam, ham scored spam (false positives), ham scored ham, spam scored ham, and each kind unsure. */
  spamAsSpam: number;
  hamAsSpam: number;
  hamAsHam: number;
  spamAsHam: number;
  unsureSpam: number;
  unsureHam: number;
  /** Of the comments it decided was spam, how many were (1 when none). */
  precision: number;
  /** Of the spam it decided (spam or ham), how much it called spam. */
  recall: number;
  /** Of all the legitimate comments, how many it sent to spam: the figure that matters most. */
  falsePositiveRate: number;
  /** Of all comments, how many it left to the moderator. */
  unsureRate: number;
}

/**
 * k-fold cross-validation: the examples dealt into `folds` groups, each kind spread evenly (the
 * order given is kept within a kind: shuffle first for a random deal); each group scored by a
 * model trained on all the others.
 */
export function crossValidate(
  examples: readonly LabeledExample[],
  folds = 10,
  thresholds: SpamThresholds = defaultThresholds,
): EvaluationResult {
  const tokens = examples.map((example) => spamTokensOf(example));
  const foldOf = new Map<number, number>();
  const dealt = { spam: 0, ham: 0 };
  examples.forEach((example, index) => foldOf.set(index, dealt[example.label]++ % folds));
  const tally = { spamAsSpam: 0, hamAsSpam: 0, hamAsHam: 0, spamAsHam: 0, unsureSpam: 0, unsureHam: 0 };
  for (let fold = 0; fold < folds; fold += 1) {
    const counts = emptySpamCounts();
    examples.forEach((example, index) => {
      if (foldOf.get(index) !== fold) learn(counts, tokens[index]!, example.label);
    });
    examples.forEach((example, index) => {
      if (foldOf.get(index) !== fold) return;
      const { score: value } = score(counts, tokens[index]!);
      const spam = example.label === 'spam';
      if (value >= thresholds.spam) tally[spam ? 'spamAsSpam' : 'hamAsSpam'] += 1;
      else if (value <= thresholds.ham) tally[spam ? 'spamAsHam' : 'hamAsHam'] += 1;
      else tally[spam ? 'unsureSpam' : 'unsureHam'] += 1;
    });
  }
  const spam = dealt.spam;
  const ham = dealt.ham;
  const calledSpam = tally.spamAsSpam + tally.hamAsSpam;
  const decidedSpam = tally.spamAsSpam + tally.spamAsHam;
  return {
    folds,
    spam,
    ham,
    ...tally,
    precision: calledSpam === 0 ? 1 : tally.spamAsSpam / calledSpam,
    recall: decidedSpam === 0 ? 0 : tally.spamAsSpam / decidedSpam,
    falsePositiveRate: ham === 0 ? 0 : tally.hamAsSpam / ham,
    unsureRate: spam + ham === 0 ? 0 : (tally.unsureSpam + tally.unsureHam) / (spam + ham),
  };
}

/**
 * A mail of the SpamAssassin corpus as a comment: its body as the text (after the headers), read
 * as a person would type it (quoted-printable line breaks and escapes undone, HTML markup taken
 * out: a comment holds no markup, so the filter never sees any), the sender's display name as the
 * name, no website. Mail is not comments: see the README's figures.
 */
export function mailAsComment(mail: string): SpamInput {
  const split = mail.search(/\r?\n\r?\n/);
  const headers = split === -1 ? '' : mail.slice(0, split);
  const body = (split === -1 ? mail : mail.slice(split))
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/<(?:style|script)\b[\s\S]*?<\/(?:style|script)>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;|&#160;/gi, ' ')
    .trim();
  const from = /^From:\s*"?([^"<\n]*?)"?\s*<[^>\n]*>/im.exec(headers)?.[1]?.trim() ?? '';
  return { text: body, name: from, url: null };
}
