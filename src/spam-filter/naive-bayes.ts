// A naive Bayes text classifier as SpamBayes combines it: each token's spam probability is
// Robinson's (a token seen rarely leans toward the unknown, 0.5), only the tokens far enough from
// 0.5 are kept, at most 150 of the strongest, and Fisher's chi-square method combines them into
// how sure the evidence is of spam and of ham; the score is between the two (0: ham, 1: spam;
// near 0.5 when the evidence says both, or nothing). Pure: counts in, counts out.

/** In how many comments of each kind a token was; `lastSeen`, when it was last learned (larger: later). */
export interface TokenCounts {
  spam: number;
  ham: number;
  lastSeen?: number;
}

/** What the model has learned: how many comments of each kind, and in how many each token was. */
export interface SpamCounts {
  spamDocs: number;
  hamDocs: number;
  tokens: Map<string, TokenCounts>;
}

export type SpamLabel = 'spam' | 'ham';

/** A stored label read back: null for none (or anything else). */
export const spamLabelOf = (value: string | null): SpamLabel | null =>
  value === 'spam' || value === 'ham' ? value : null;

/** A token's weight in a score: its probability of spam (0 to 1). */
export interface TokenEvidence {
  token: string;
  probability: number;
}

export const emptySpamCounts = (): SpamCounts => ({ spamDocs: 0, hamDocs: 0, tokens: new Map() });

// SpamBayes's defaults (Options.py): unknown_word_strength, unknown_word_prob,
// minimum_prob_strength, max_discriminators.
const strength = 0.45;
const unknown = 0.5;
const minimumStrength = 0.1;
const maxDiscriminators = 150;

/** Adds (or, `by` −1, takes back) one comment's tokens under its label. */
export function learn(counts: SpamCounts, tokens: Iterable<string>, label: SpamLabel, by: 1 | -1 = 1): void {
  if (label === 'spam') counts.spamDocs = Math.max(0, counts.spamDocs + by);
  else counts.hamDocs = Math.max(0, counts.hamDocs + by);
  const now = counts.spamDocs + counts.hamDocs;
  for (const token of tokens) {
    const seen = counts.tokens.get(token) ?? { spam: 0, ham: 0 };
    seen[label] = Math.max(0, seen[label] + by);
    if (by > 0) seen.lastSeen = now;
    if (seen.spam === 0 && seen.ham === 0) counts.tokens.delete(token);
    else counts.tokens.set(token, seen);
  }
}

/** Robinson's probability that a comment holding `token` is spam. */
export function tokenProbability(counts: SpamCounts, token: string): number {
  const seen = counts.tokens.get(token);
  if (!seen) return unknown;
  const spamRatio = counts.spamDocs > 0 ? seen.spam / counts.spamDocs : 0;
  const hamRatio = counts.hamDocs > 0 ? seen.ham / counts.hamDocs : 0;
  if (spamRatio + hamRatio === 0) return unknown;
  const probability = spamRatio / (spamRatio + hamRatio);
  const n = seen.spam + seen.ham;
  return (strength * unknown + n * probability) / (strength + n);
}

/** The chance a chi-square value this large or larger comes by chance (`degrees` even). */
function chiSquareTail(chi: number, degrees: number): number {
  const m = chi / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < degrees / 2; i += 1) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

/** The score of a comment's tokens (0 ham … 1 spam), and the tokens that weighed, strongest first. */
export function score(counts: SpamCounts, tokens: Iterable<string>): { score: number; evidence: TokenEvidence[] } {
  const evidence: TokenEvidence[] = [];
  for (const token of tokens) {
    const probability = tokenProbability(counts, token);
    if (Math.abs(probability - unknown) >= minimumStrength) evidence.push({ token, probability });
  }
  evidence.sort(
    (a, b) => Math.abs(b.probability - unknown) - Math.abs(a.probability - unknown) || (a.token < b.token ? -1 : 1),
  );
  const used = evidence.slice(0, maxDiscriminators);
  if (used.length === 0) return { score: unknown, evidence: [] };
  // Sums of logarithms (a product of 150 small numbers would underflow).
  let hamLog = 0;
  let spamLog = 0;
  for (const { probability } of used) {
    const p = Math.min(Math.max(probability, 1e-6), 1 - 1e-6);
    hamLog += Math.log(p);
    spamLog += Math.log(1 - p);
  }
  // Spam tokens (p near 1) make Σ ln(1 − p) very negative: a chi-square no chance would give.
  const degrees = 2 * used.length;
  const spamness = 1 - chiSquareTail(-2 * spamLog, degrees);
  const hamness = 1 - chiSquareTail(-2 * hamLog, degrees);
  return { score: (spamness - hamness + 1) / 2, evidence: used };
}

/** Drops the tokens `tokensToForget` names; how many went. */
export function prune(counts: SpamCounts, maxTokens: number): number {
  const forgotten = tokensToForget(counts, maxTokens);
  for (const token of forgotten) counts.tokens.delete(token);
  return forgotten.length;
}

/** What a set of lessons adds to (or, negative, takes from) a model. */
export interface ModelChange {
  spamDocs: number;
  hamDocs: number;
  tokens: Map<string, { spam: number; ham: number }>;
}

/**
 * The change that moves each comment from the label it taught (`from`, null: none) to its new
 * one (`to`): its tokens unlearned under the first, learned under the second.
 */
export function changeOf(
  lessons: Iterable<{ from: SpamLabel | null; to: SpamLabel | null; tokens: Iterable<string> }>,
): ModelChange {
  const change: ModelChange = { spamDocs: 0, hamDocs: 0, tokens: new Map() };
  const add = (label: SpamLabel, tokens: Iterable<string>, by: 1 | -1) => {
    if (label === 'spam') change.spamDocs += by;
    else change.hamDocs += by;
    for (const token of tokens) {
      const counted = change.tokens.get(token) ?? { spam: 0, ham: 0 };
      counted[label] += by;
      change.tokens.set(token, counted);
    }
  };
  for (const { from, to, tokens } of lessons) {
    if (from === to) continue;
    const once = [...tokens];
    if (from) add(from, once, -1);
    if (to) add(to, once, 1);
  }
  return change;
}

/**
 * Applies a change to the counts (no count goes below zero; a token at zero is forgotten); the
 * tokens it adds to were last seen `at`.
 */
export function applyChange(counts: SpamCounts, change: ModelChange, at: number): void {
  counts.spamDocs = Math.max(0, counts.spamDocs + change.spamDocs);
  counts.hamDocs = Math.max(0, counts.hamDocs + change.hamDocs);
  for (const [token, by] of change.tokens) {
    const seen = counts.tokens.get(token) ?? { spam: 0, ham: 0 };
    const next = {
      spam: Math.max(0, seen.spam + by.spam),
      ham: Math.max(0, seen.ham + by.ham),
      lastSeen: by.spam > 0 || by.ham > 0 ? at : seen.lastSeen,
    };
    if (next.spam === 0 && next.ham === 0) counts.tokens.delete(token);
    else counts.tokens.set(token, next);
  }
}

/**
 * The tokens to forget for the model to hold at most `maxTokens`: those seen in the fewest
 * comments, and of those seen in as many, the longest unseen (then in token order); no more than
 * that, so a flood of one-off tokens costs the model only as many rare ones as it brought, and a
 * full model still keeps the words it has just learned.
 */
export function tokensToForget(counts: SpamCounts, maxTokens: number): string[] {
  let over = counts.tokens.size - maxTokens;
  if (over <= 0) return [];
  const byComments = new Map<number, string[]>();
  for (const [token, seen] of counts.tokens) {
    const n = seen.spam + seen.ham;
    const same = byComments.get(n);
    if (same) same.push(token);
    else byComments.set(n, [token]);
  }
  const forgotten: string[] = [];
  const lastSeen = (token: string) => counts.tokens.get(token)?.lastSeen ?? 0;
  for (const n of [...byComments.keys()].sort((a, b) => a - b)) {
    const tokens = byComments.get(n)!.sort((a, b) => lastSeen(a) - lastSeen(b) || (a < b ? -1 : 1));
    // One at a time: spreading a list of a hundred thousand into push() overflows the stack.
    for (const token of tokens.slice(0, over)) forgotten.push(token);
    over -= tokens.length;
    if (over <= 0) return forgotten;
  }
  return forgotten;
}

/** Evidence as stored with a comment: JSON [[token, probability], …], probabilities to 3 places. */
export function storedReasons(evidence: readonly TokenEvidence[]): string {
  return JSON.stringify(evidence.map(({ token, probability }) => [token, Math.round(probability * 1000) / 1000]));
}

/** Stored evidence read back (nothing, for none or for text that is not what `storedReasons` writes). */
export function spamReasonsOf(stored: string | null): TokenEvidence[] {
  if (!stored) return [];
  try {
    const pairs: unknown = JSON.parse(stored);
    if (!Array.isArray(pairs)) return [];
    return pairs.flatMap((pair: unknown) =>
      Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'number'
        ? [{ token: pair[0], probability: pair[1] }]
        : [],
    );
  } catch {
    return [];
  }
}
