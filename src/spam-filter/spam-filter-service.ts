import type { CommentStatus } from '../shared/comment-status';
import {
  applyChange,
  changeOf,
  emptySpamCounts,
  learn,
  prune,
  tokensToForget,
  score,
  type ModelChange,
  type SpamCounts,
  type SpamLabel,
  type TokenEvidence,
} from './naive-bayes';
import { defaultThresholds, type LabeledExample } from './spam-evaluation';
import type { LabelMove, SpamModelRepository, TrainingComment, TransactionWork } from './spam-model-repository';
import { spamTokensOf, type SpamInput } from './spam-tokens';

/** What moving a comment to the trash teaches the filter. */
export const trashLessons = ['nothing', 'spam'] as const;
export type TrashTeaches = (typeof trashLessons)[number];

/** The moderator's settings the filter follows. */
export interface SpamFilterSettings {
  /** Off: arriving comments are not scored (the filter still learns from decisions). */
  spamFilter: boolean;
  trashTeaches: TrashTeaches;
}

/** The filter's word on an arriving comment. */
export interface SpamVerdict {
  /** 0 (legitimate) … 1 (spam). */
  score: number;
  /** The tokens that weighed most, strongest first. */
  reasons: TokenEvidence[];
  /** Whether it has learned enough to act; until then its score is only recorded. */
  decides: boolean;
  /** At or above: spam. */
  spamAt: number;
  /** Above, and below `spamAt`: unsure, held for the moderator. */
  unsureAbove: number;
}

/** A moderator's decision on a comment, as the filter learns from it. */
export interface Decision {
  comment: TrainingComment;
  /** The status it moves to. */
  to: CommentStatus;
  /** "Not spam": a legitimate comment, whatever status it goes to. */
  notSpam: boolean;
}

/** What a set of decisions teaches, to record with them (one transaction) and then to keep. */
export interface Lesson {
  /** Writes it, inside the decision's transaction. */
  write: TransactionWork;
  /** Call after the transaction committed. */
  learned(): void;
}

/** Each kind needs this many comments learned before the filter acts on a score. */
export const minimumLessons = 50;
/** The model keeps at most this many tokens (the rarest go first); about 10 MB in memory. */
export const maxModelTokens = 100_000;
const shownReasons = 6;

const inputOf = (comment: Pick<TrainingComment, 'text' | 'authorName' | 'authorUrl'>): SpamInput => ({
  text: comment.text,
  name: comment.authorName,
  url: comment.authorUrl,
});

/** What a score says, at the filter's thresholds. */
export function verdictOf(score: number): 'spam' | 'unsure' | 'legitimate' {
  if (score >= defaultThresholds.spam) return 'spam';
  return score > defaultThresholds.ham ? 'unsure' : 'legitimate';
}

/** The label a comment's status teaches: approved is legitimate, spam is spam, the trash as set. */
export function labelOfStatus(status: string, trashTeaches: TrashTeaches): SpamLabel | null {
  if (status === 'approved') return 'ham';
  if (status === 'spam') return 'spam';
  if (status === 'trash' && trashTeaches === 'spam') return 'spam';
  return null;
}

export type SpamFilter = ReturnType<typeof createSpamFilter>;

/**
 * The spam filter: scores arriving comments with the model kept in memory (no query on the way),
 * and learns from the moderator's decisions. The model is read once, and again when another
 * process changed it (its version).
 */
export function createSpamFilter({
  repo,
  settings,
  maxTokens = maxModelTokens,
  onError = () => undefined,
}: {
  repo: SpamModelRepository;
  settings: () => Promise<SpamFilterSettings>;
  maxTokens?: number;
  /** A background reload or prune that failed (the model kept is used meanwhile). */
  onError?: (error: unknown) => void;
}) {
  let kept: Promise<{ counts: SpamCounts; version: number }> | null = null;
  let checking = false;

  function model() {
    kept ??= repo.load().catch((error: unknown) => {
      kept = null;
      throw error;
    });
    return kept;
  }

  /** Reads the model again if its version moved (another process learned), in the background. */
  async function reloadIfChanged(): Promise<void> {
    if (!kept || checking) return;
    checking = true;
    try {
      const version = await repo.version();
      if (version !== (await kept).version) {
        const fresh = await repo.load();
        kept = Promise.resolve(fresh);
      }
    } finally {
      checking = false;
    }
  }

  /** Keeps the model within its bound: the rarest tokens forgotten here and in the database. */
  async function pruneIfOver(held: { counts: SpamCounts; version: number }): Promise<void> {
    const forgotten = tokensToForget(held.counts, maxTokens);
    if (forgotten.length === 0) return;
    for (const token of forgotten) held.counts.tokens.delete(token);
    held.version += 1;
    await repo.forget(forgotten);
  }

  /** The bound kept without a model in memory (the filter off, a command): counted in the database. */
  async function pruneStoredIfOver(): Promise<void> {
    if ((await repo.tokenCount()) <= maxTokens) return;
    const stored = await repo.load();
    await repo.forget(tokensToForget(stored.counts, maxTokens));
    kept = null;
  }

  /** A lesson: comments' labels moved from what was read, and the change to the counts. */
  function lessonWith(labelMoves: LabelMove[], change: ModelChange): Lesson {
    return {
      write: (tx) => repo.writeLesson(tx, labelMoves, change),
      learned() {
        const current = kept;
        const after = current
          ? current.then(async (held) => {
              held.version += 1;
              applyChange(held.counts, change, held.version);
              await pruneIfOver(held);
            })
          : pruneStoredIfOver();
        void after.catch(onError);
      },
    };
  }

  function lessonOf(labels: { comment: TrainingComment; to: SpamLabel | null }[]): Lesson | null {
    const changed = labels.filter(({ comment, to }) => comment.spamLabel !== to);
    if (changed.length === 0) return null;
    const change = changeOf(
      changed.map(({ comment, to }) => ({ from: comment.spamLabel, to, tokens: spamTokensOf(inputOf(comment)) })),
    );
    return lessonWith(
      changed.map(({ comment, to }) => ({ id: comment.id, updatedAt: comment.updatedAt, from: comment.spamLabel, to })),
      change,
    );
  }

  /** The comments it learned from, each with its label: the site's own history, to evaluate on. */
  async function labeledExamples(): Promise<LabeledExample[]> {
    const examples: LabeledExample[] = [];
    for (let after = 0; ;) {
      const batch = await repo.commentsAfter(after, 1000, 'labeled');
      if (batch.length === 0) return examples;
      for (const comment of batch)
        if (comment.spamLabel) examples.push({ ...inputOf(comment), label: comment.spamLabel });
      after = batch.at(-1)!.id;
    }
  }

  return {
    /** The filter's verdict on an arriving comment; null when the moderator switched it off. */
    async assess(comment: SpamInput): Promise<SpamVerdict | null> {
      if (!(await settings()).spamFilter) return null;
      const { counts } = await model();
      const { score: value, evidence } = score(counts, spamTokensOf(comment));
      return {
        score: value,
        reasons: evidence.slice(0, shownReasons),
        decides: counts.spamDocs >= minimumLessons && counts.hamDocs >= minimumLessons,
        spamAt: defaultThresholds.spam,
        unsureAbove: defaultThresholds.ham,
      };
    },

    /** What these decisions teach (null: nothing new), to be recorded in the decisions' transaction. */
    async lessonFrom(decisions: readonly Decision[]): Promise<Lesson | null> {
      const { trashTeaches } = await settings();
      return lessonOf(
        decisions.map(({ comment, to, notSpam }) => ({
          comment,
          to: notSpam ? 'ham' : labelOfStatus(to, trashTeaches),
        })),
      );
    },

    /**
     * A comment's text is about to change: what it taught is unlearned with its old words, and
     * learned again with the new ones if `keepLabel` (a moderator's edit), else not (an author's).
     */
    lessonFromEdit(
      comment: TrainingComment,
      edited: Pick<TrainingComment, 'text' | 'authorName' | 'authorUrl'>,
      keepLabel: boolean,
    ): Lesson | null {
      const label = comment.spamLabel;
      if (!label) return null;
      if (!keepLabel) return lessonOf([{ comment, to: null }]);
      const change = changeOf([
        { from: label, to: null, tokens: spamTokensOf(inputOf(comment)) },
        { from: null, to: label, tokens: spamTokensOf(inputOf(edited)) },
      ]);
      return lessonWith([{ id: comment.id, updatedAt: comment.updatedAt, from: label, to: label }], change);
    },

    /** What unlearning these comments takes (their author's data is erased). */
    lessonToForget(comments: readonly TrainingComment[]): Lesson | null {
      return lessonOf(comments.map((comment) => ({ comment, to: null })));
    },

    /** Records a lesson by itself (no decision goes with it). */
    async learn(lesson: Lesson | null): Promise<void> {
      if (!lesson) return;
      await repo.inTransaction(lesson.write);
      lesson.learned();
    },

    /** Learns from imported comments not yet learned from: approved ones as legitimate, spam as spam. */
    async learnImported(): Promise<number> {
      let learned = 0;
      for (;;) {
        const batch = await repo.commentsAfter(0, 500, 'imported-unlabeled');
        if (batch.length === 0) break;
        const lesson = lessonOf(batch.map((comment) => ({ comment, to: labelOfStatus(comment.status, 'nothing') })));
        if (!lesson) break;
        await repo.inTransaction(lesson.write);
        learned += batch.length;
      }
      kept = null;
      await pruneStoredIfOver();
      return learned;
    },

    labeledExamples,

    /**
     * Rebuilds the model from scratch: every comment it learned from, read with the tokenizer as
     * it is now, then bounded. Comments deleted since are no longer in it.
     */
    async retrain(): Promise<{ spamComments: number; hamComments: number; tokens: number }> {
      const counts = emptySpamCounts();
      for (const example of await labeledExamples()) learn(counts, spamTokensOf(example), example.label);
      prune(counts, maxTokens);
      await repo.replace(counts);
      kept = null;
      return { spamComments: counts.spamDocs, hamComments: counts.hamDocs, tokens: counts.tokens.size };
    },

    /** What the filter has learned, for the moderator's settings page. */
    async state(): Promise<{ spamComments: number; hamComments: number; tokens: number; decides: boolean }> {
      const { counts } = await model();
      return {
        spamComments: counts.spamDocs,
        hamComments: counts.hamDocs,
        tokens: counts.tokens.size,
        decides: counts.spamDocs >= minimumLessons && counts.hamDocs >= minimumLessons,
      };
    },

    /** Another process may have written: the model is read again if it changed. */
    modelMayHaveChanged(): void {
      reloadIfChanged().catch(onError);
    },

    /** Forgets the model kept (the next score reads it). */
    forgetKept(): void {
      kept = null;
    },
  };
}

/** The filter as a command uses it: to learn and retrain, never to score (the settings do not matter). */
export const learnerOver = (repo: SpamModelRepository) =>
  createSpamFilter({ repo, settings: () => Promise.resolve({ spamFilter: true, trashTeaches: 'nothing' }) });
