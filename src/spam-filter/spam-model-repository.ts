import { dialectOf, type Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';
import { StaleReadError } from '../shared/stale-read';
import { emptySpamCounts, spamLabelOf, type ModelChange, type SpamCounts, type SpamLabel } from './naive-bayes';

/** Writes part of a change inside a transaction another repository opened (a decision's). */
export type TransactionWork = (tx: Prisma.TransactionClient) => Promise<void>;

/** A comment's label moving, as read (see TrainingComment.updatedAt). */
export interface LabelMove {
  id: number;
  updatedAt: Date;
  from: SpamLabel | null;
  to: SpamLabel | null;
}

/** A comment as the filter learns from it. */
export interface TrainingComment {
  id: number;
  /** When it last changed: a lesson is written only if it has not changed since it was read. */
  updatedAt: Date;
  text: string;
  authorName: string;
  authorUrl: string | null;
  status: string;
  /** What it taught the filter so far; null: nothing. */
  spamLabel: SpamLabel | null;
}

const modelRowId = 1;
// At most four parameters a token: well within both engines' limits on one statement.
const tokensPerStatement = 1000;
/** The fields of a comment the filter reads (a Prisma select), and the row read as a TrainingComment. */
export const trainingFields = {
  id: true,
  updatedAt: true,
  text: true,
  authorName: true,
  authorUrl: true,
  status: true,
  spamLabel: true,
} as const;

export const asTraining = <T extends { spamLabel: string | null }>(row: T) => ({
  ...row,
  spamLabel: spamLabelOf(row.spamLabel),
});

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

export type SpamModelRepository = ReturnType<typeof createSpamModelRepository>;

/** The spam filter's model in the database: the totals row, the token counts, each comment's label. */
export function createSpamModelRepository(db: Database) {
  const dialect = dialectOf(db);
  const row = (token: string, spam: number, ham: number) =>
    Prisma.sql`(${dialect.typed(token, 'TEXT')}, ${dialect.typed(spam, 'INTEGER')}, ${dialect.typed(ham, 'INTEGER')})`;
  const seenRow = (token: string, spam: number, ham: number, lastSeen: number) =>
    Prisma.sql`(${dialect.typed(token, 'TEXT')}, ${dialect.typed(spam, 'INTEGER')}, ${dialect.typed(ham, 'INTEGER')}, ${dialect.typed(lastSeen, 'INTEGER')})`;

  /**
   * Adds a change to the token counts: takings (never below zero), additions (last seen at
   * `seenAt`), then the emptied rows.
   */
  async function writeTokens(tx: Prisma.TransactionClient, change: ModelChange, seenAt: number): Promise<void> {
    const added: Prisma.Sql[] = [];
    const taken: Prisma.Sql[] = [];
    const takenTokens: string[] = [];
    for (const [token, by] of change.tokens) {
      if (by.spam > 0 || by.ham > 0) added.push(seenRow(token, Math.max(by.spam, 0), Math.max(by.ham, 0), seenAt));
      if (by.spam < 0 || by.ham < 0) {
        taken.push(row(token, Math.max(-by.spam, 0), Math.max(-by.ham, 0)));
        takenTokens.push(token);
      }
    }
    for (const rows of chunks(taken, tokensPerStatement))
      await tx.$executeRaw`WITH "Taken" (token, spam, ham) AS (VALUES ${Prisma.join(rows)})
        UPDATE "SpamToken" SET
          spam = CASE WHEN "SpamToken".spam > "Taken".spam THEN "SpamToken".spam - "Taken".spam ELSE 0 END,
          ham = CASE WHEN "SpamToken".ham > "Taken".ham THEN "SpamToken".ham - "Taken".ham ELSE 0 END
        FROM "Taken" WHERE "SpamToken".token = "Taken".token`;
    for (const rows of chunks(added, tokensPerStatement))
      await tx.$executeRaw`INSERT INTO "SpamToken" (token, spam, ham, "lastSeen") VALUES ${Prisma.join(rows)}
        ON CONFLICT (token) DO UPDATE SET spam = "SpamToken".spam + excluded.spam, ham = "SpamToken".ham + excluded.ham,
          "lastSeen" = excluded."lastSeen"`;
    for (const tokens of chunks(takenTokens, tokensPerStatement))
      await tx.$executeRaw`DELETE FROM "SpamToken" WHERE spam = 0 AND ham = 0 AND token IN (${Prisma.join(tokens)})`;
  }

  /** Adds a change to the totals (never below zero) and raises the version. */
  async function writeTotals(tx: Prisma.TransactionClient, change: ModelChange): Promise<void> {
    const spam = dialect.typed(change.spamDocs, 'INTEGER');
    const ham = dialect.typed(change.hamDocs, 'INTEGER');
    await tx.$executeRaw`INSERT INTO "SpamModel" (id, "spamComments", "hamComments", version)
      VALUES (${modelRowId}, ${dialect.typed(Math.max(change.spamDocs, 0), 'INTEGER')}, ${dialect.typed(Math.max(change.hamDocs, 0), 'INTEGER')}, 1)
      ON CONFLICT (id) DO UPDATE SET
        "spamComments" = CASE WHEN "SpamModel"."spamComments" + ${spam} > 0 THEN "SpamModel"."spamComments" + ${spam} ELSE 0 END,
        "hamComments" = CASE WHEN "SpamModel"."hamComments" + ${ham} > 0 THEN "SpamModel"."hamComments" + ${ham} ELSE 0 END,
        version = "SpamModel".version + 1`;
  }

  return {
    /** The whole model and its version. */
    async load(): Promise<{ counts: SpamCounts; version: number }> {
      const [totals, tokens] = await Promise.all([
        db.spamModel.findUnique({ where: { id: modelRowId } }),
        db.spamToken.findMany(),
      ]);
      const counts = emptySpamCounts();
      counts.spamDocs = totals?.spamComments ?? 0;
      counts.hamDocs = totals?.hamComments ?? 0;
      for (const { token, spam, ham, lastSeen } of tokens) counts.tokens.set(token, { spam, ham, lastSeen });
      return { counts, version: totals?.version ?? 0 };
    },

    /** The model's version: changed by every write, whichever process made it. */
    async version(): Promise<number> {
      return (await db.spamModel.findUnique({ where: { id: modelRowId }, select: { version: true } }))?.version ?? 0;
    },

    /**
     * Records lessons inside the decision's transaction: each comment's label moves from what was
     * read (else StaleReadError: another request decided on it meanwhile), then the change to the
     * token counts and totals, and a new version.
     */
    async writeLesson(tx: Prisma.TransactionClient, labels: LabelMove[], change: ModelChange): Promise<void> {
      const groups = new Map<string, { from: SpamLabel | null; to: SpamLabel | null; read: LabelMove[] }>();
      for (const move of labels) {
        const key = `${move.from}>${move.to}`;
        const group = groups.get(key) ?? { from: move.from, to: move.to, read: [] };
        group.read.push(move);
        groups.set(key, group);
      }
      // Each comment as it was read (its label, and not changed since: an edit or an erasure
      // meanwhile would make its tokens others than those counted here).
      for (const { from, to, read } of groups.values()) {
        const { count } = await tx.comment.updateMany({
          where: { OR: read.map(({ id, updatedAt }) => ({ id, updatedAt })), spamLabel: from },
          data: { spamLabel: to },
        });
        if (count !== read.length) throw new StaleReadError();
      }
      await writeTotals(tx, change);
      const { version } = await tx.spamModel.findUniqueOrThrow({
        where: { id: modelRowId },
        select: { version: true },
      });
      await writeTokens(tx, change, version);
    },

    /** Runs work in a transaction of its own. */
    async inTransaction(work: TransactionWork): Promise<void> {
      await db.$transaction(work);
    },

    /** How many tokens the model holds. */
    tokenCount: () => db.spamToken.count(),

    /** The comments, with the fields the filter reads, in id order after `afterId`. */
    async commentsAfter(
      afterId: number,
      take: number,
      which: 'labeled' | 'imported-unlabeled',
    ): Promise<TrainingComment[]> {
      const where =
        which === 'labeled'
          ? { spamLabel: { not: null } }
          : {
              // WordPress's and Disqus's history; a marginalia export carries its own labels.
              OR: [{ sourceId: { startsWith: 'wordpress:' } }, { sourceId: { startsWith: 'disqus:' } }],
              spamLabel: null,
              status: { in: ['approved', 'spam'] },
              erased: false,
            };
      const rows = await db.comment.findMany({
        where: { ...where, id: { gt: afterId } },
        select: trainingFields,
        orderBy: { id: 'asc' },
        take,
      });
      return rows.map(asTraining);
    },

    /** The comments with these ids, as the filter reads them. */
    async commentsByIds(ids: readonly number[]): Promise<TrainingComment[]> {
      const rows = await db.comment.findMany({ where: { id: { in: [...ids] } }, select: trainingFields });
      return rows.map(asTraining);
    },

    /** Replaces the whole model (a retrain), in one transaction; its comments' labels stay. */
    async replace(counts: SpamCounts): Promise<void> {
      const rows = [...counts.tokens].map(([token, seen]) => seenRow(token, seen.spam, seen.ham, seen.lastSeen ?? 0));
      await db.$transaction([
        db.spamToken.deleteMany(),
        ...chunks(rows, tokensPerStatement).map(
          (part) => db.$executeRaw`INSERT INTO "SpamToken" (token, spam, ham, "lastSeen") VALUES ${Prisma.join(part)}`,
        ),
        db.spamModel.upsert({
          where: { id: modelRowId },
          create: { id: modelRowId, spamComments: counts.spamDocs, hamComments: counts.hamDocs, version: 1 },
          update: { spamComments: counts.spamDocs, hamComments: counts.hamDocs, version: { increment: 1 } },
        }),
      ]);
    },

    /** Forgets these tokens (the model's bound), and raises the version. */
    async forget(tokens: readonly string[]): Promise<void> {
      await db.$transaction([
        ...chunks(tokens, tokensPerStatement).map(
          (part) => db.$executeRaw`DELETE FROM "SpamToken" WHERE token IN (${Prisma.join(part)})`,
        ),
        db.spamModel.update({ where: { id: modelRowId }, data: { version: { increment: 1 } } }),
      ]);
    },
  };
}
