import { dialectOf, type Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';
import { emptySpamCounts, spamLabelOf, type ModelChange, type SpamCounts, type SpamLabel } from './naive-bayes';

/** One step of a transaction: a statement not yet sent, for `$transaction([...])`. */
export type TransactionStep = Prisma.PrismaPromise<unknown>;

/** A comment as the filter learns from it. */
export interface TrainingComment {
  id: number;
  text: string;
  authorName: string;
  authorUrl: string | null;
  status: string;
  /** What it taught the filter so far; null: nothing. */
  spamLabel: SpamLabel | null;
}

const modelRowId = 1;
// Three parameters a token: well within both engines' limits on one statement.
const tokensPerStatement = 500;
const trainingFields = {
  id: true,
  text: true,
  authorName: true,
  authorUrl: true,
  status: true,
  spamLabel: true,
} as const;

const asTraining = <T extends { spamLabel: string | null }>(row: T) => ({
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

  /** The statements that add a change to the token counts: additions, then takings (never below zero), then the emptied rows. */
  function tokenSteps(change: ModelChange): TransactionStep[] {
    const added: Prisma.Sql[] = [];
    const taken: Prisma.Sql[] = [];
    const takenTokens: string[] = [];
    for (const [token, by] of change.tokens) {
      if (by.spam > 0 || by.ham > 0) added.push(row(token, Math.max(by.spam, 0), Math.max(by.ham, 0)));
      if (by.spam < 0 || by.ham < 0) {
        taken.push(row(token, Math.max(-by.spam, 0), Math.max(-by.ham, 0)));
        takenTokens.push(token);
      }
    }
    return [
      ...chunks(taken, tokensPerStatement).map(
        (rows) => db.$executeRaw`WITH "Taken" (token, spam, ham) AS (VALUES ${Prisma.join(rows)})
          UPDATE "SpamToken" SET
            spam = CASE WHEN "SpamToken".spam > "Taken".spam THEN "SpamToken".spam - "Taken".spam ELSE 0 END,
            ham = CASE WHEN "SpamToken".ham > "Taken".ham THEN "SpamToken".ham - "Taken".ham ELSE 0 END
          FROM "Taken" WHERE "SpamToken".token = "Taken".token`,
      ),
      ...chunks(added, tokensPerStatement).map(
        (rows) => db.$executeRaw`INSERT INTO "SpamToken" (token, spam, ham) VALUES ${Prisma.join(rows)}
          ON CONFLICT (token) DO UPDATE SET spam = "SpamToken".spam + excluded.spam, ham = "SpamToken".ham + excluded.ham`,
      ),
      ...chunks(takenTokens, tokensPerStatement).map(
        (tokens) =>
          db.$executeRaw`DELETE FROM "SpamToken" WHERE spam = 0 AND ham = 0 AND token IN (${Prisma.join(tokens)})`,
      ),
    ];
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
      for (const { token, spam, ham } of tokens) counts.tokens.set(token, { spam, ham });
      return { counts, version: totals?.version ?? 0 };
    },

    /** The model's version: changed by every write, whichever process made it. */
    async version(): Promise<number> {
      return (await db.spamModel.findUnique({ where: { id: modelRowId }, select: { version: true } }))?.version ?? 0;
    },

    /**
     * The statements that record lessons, for the transaction that makes the decision: the
     * comments' new labels, the change to the token counts and totals, and a new version.
     */
    lessonSteps(labels: { id: number; to: SpamLabel | null }[], change: ModelChange): TransactionStep[] {
      const byLabel = new Map<SpamLabel | null, number[]>();
      for (const { id, to } of labels) byLabel.set(to, [...(byLabel.get(to) ?? []), id]);
      return [
        ...[...byLabel].map(([spamLabel, ids]) =>
          db.comment.updateMany({ where: { id: { in: ids } }, data: { spamLabel } }),
        ),
        ...tokenSteps(change),
        db.spamModel.upsert({
          where: { id: modelRowId },
          create: {
            id: modelRowId,
            spamComments: Math.max(change.spamDocs, 0),
            hamComments: Math.max(change.hamDocs, 0),
            version: 1,
          },
          update: {
            spamComments: { increment: change.spamDocs },
            hamComments: { increment: change.hamDocs },
            version: { increment: 1 },
          },
        }),
      ];
    },

    /** Runs steps as one transaction. */
    async inTransaction(steps: TransactionStep[]): Promise<void> {
      await db.$transaction(steps);
    },

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
      const rows = [...counts.tokens].map(([token, seen]) => row(token, seen.spam, seen.ham));
      await db.$transaction([
        db.spamToken.deleteMany(),
        ...chunks(rows, tokensPerStatement).map(
          (part) => db.$executeRaw`INSERT INTO "SpamToken" (token, spam, ham) VALUES ${Prisma.join(part)}`,
        ),
        db.spamModel.upsert({
          where: { id: modelRowId },
          create: { id: modelRowId, spamComments: counts.spamDocs, hamComments: counts.hamDocs, version: 1 },
          update: { spamComments: counts.spamDocs, hamComments: counts.hamDocs, version: { increment: 1 } },
        }),
      ]);
    },

    /** Forgets the tokens seen in `rarest` comments or fewer (the model's bound). */
    async prune(rarest: number): Promise<void> {
      await db.$transaction([
        db.$executeRaw`DELETE FROM "SpamToken" WHERE spam + ham <= ${rarest}`,
        db.spamModel.update({ where: { id: modelRowId }, data: { version: { increment: 1 } } }),
      ]);
    },
  };
}
