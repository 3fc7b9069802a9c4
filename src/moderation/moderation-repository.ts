import type { CommentStatus } from '../shared/comment-status';
import { dialectOf, type Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';
import { searchComments } from './comment-search';
import type { ArrivingComment } from './moderation-rules';
import { spamReasonsOf, type TokenEvidence } from '../spam-filter/naive-bayes';
import { StaleReadError } from '../shared/stale-read';
import {
  asTraining,
  trainingFields,
  type TrainingComment,
  type TransactionWork,
} from '../spam-filter/spam-model-repository';
import { verdictOf } from '../spam-filter/spam-filter-service';

/** A comment as the moderator sees it: everything, including email, IP and user agent. */
export interface ModeratedComment extends ArrivingComment {
  id: number;
  /** embedUrl: the page on another site an embedded thread belongs to; null for our posts. */
  post: { id: number; slug: string; title: string; embedUrl: string | null };
  parentId: number | null;
  textHtml: string;
  status: CommentStatus;
  createdAt: Date;
  /** Written by the post's author, signed in. */
  byPostAuthor: boolean;
  /** Pinned at the top of its post's comments since then; null if not pinned. */
  pinnedAt: Date | null;
  /** No replies under it (or under any reply below it). */
  repliesLocked: boolean;
  /** Deleted at its author's request, kept as a placeholder for its replies. */
  erased: boolean;
  /** The spam filter's score when it arrived; null: not scored. */
  spamScore: number | null;
  /** The tokens that weighed most in that score. */
  spamReasons: TokenEvidence[];
  /** What that score says at the filter's thresholds; null: not scored. */
  spamVerdict: 'spam' | 'unsure' | 'legitimate' | null;
}

/** One line of a comment's status history; the first (fromStatus null) is its arrival. */
export interface StatusChange {
  fromStatus: CommentStatus | null;
  toStatus: CommentStatus;
  actor: string;
  note: string | null;
  createdAt: Date;
}

export interface CommentFilter {
  status?: CommentStatus;
  postId?: number;
  /** Searched in the author's name, email and website, and the text. */
  q?: string;
}

export interface CommentEdit {
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  text: string;
  textHtml: string;
}

const moderatedFields = {
  id: true,
  post: { select: { id: true, slug: true, title: true, embedUrl: true } },
  parentId: true,
  authorName: true,
  authorEmail: true,
  authorUrl: true,
  text: true,
  textHtml: true,
  status: true,
  ipAddress: true,
  userAgent: true,
  createdAt: true,
  byPostAuthor: true,
  pinnedAt: true,
  repliesLocked: true,
  erased: true,
  spamScore: true,
  spamReasons: true,
} as const;

function whereOf({ status, postId }: CommentFilter) {
  return { ...(status ? { status } : {}), ...(postId ? { postId } : {}) };
}

const asModerated = <T extends { status: string; spamScore: number | null; spamReasons: string | null }>(row: T) => ({
  ...row,
  status: row.status as CommentStatus,
  spamReasons: spamReasonsOf(row.spamReasons),
  spamVerdict: row.spamScore === null ? null : verdictOf(row.spamScore),
});

export type ModerationRepository = ReturnType<typeof createModerationRepository>;

/** Prisma access for the moderator's view of comments and their status history. */
export function createModerationRepository(db: Database) {
  const dialect = dialectOf(db);
  /** A page of the comments holding `filter.q`, newest first, and how many there are. */
  async function search(filter: CommentFilter, skip: number, take: number) {
    const { ids, total } = await searchComments(db, dialect, filter, skip, take);
    const rows = await db.comment.findMany({ where: { id: { in: ids } }, select: moderatedFields });
    const byId = new Map(rows.map((row) => [row.id, row]));
    const comments = ids.flatMap((id) => (byId.has(id) ? [asModerated(byId.get(id)!)] : []));
    return { comments, total };
  }

  return {
    async countByStatus(): Promise<Record<string, number>> {
      const groups = await db.comment.groupBy({ by: ['status'], _count: { _all: true } });
      return Object.fromEntries(groups.map((group) => [group.status, group._count._all]));
    },

    /** Newest first. */
    async list(
      filter: CommentFilter,
      skip: number,
      take: number,
    ): Promise<{ comments: ModeratedComment[]; total: number }> {
      if (filter.q) return search(filter, skip, take);
      const where = whereOf(filter);
      const [rows, total] = await Promise.all([
        db.comment.findMany({
          where,
          select: moderatedFields,
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          skip,
          take,
        }),
        db.comment.count({ where }),
      ]);
      return { comments: rows.map(asModerated), total };
    },

    async findById(id: number): Promise<(ModeratedComment & { history: StatusChange[] }) | null> {
      const row = await db.comment.findUnique({
        where: { id },
        select: {
          ...moderatedFields,
          arrivalNote: true,
          statusChanges: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
        },
      });
      if (!row) return null;
      const { statusChanges, arrivalNote, ...comment } = row;
      const changes = statusChanges.map((change) => ({
        fromStatus: change.fromStatus as CommentStatus,
        toStatus: change.toStatus as CommentStatus,
        actor: change.actor,
        note: change.note,
        createdAt: change.createdAt,
      }));
      // The status it arrived with is where the first change started (or, with none, where it is).
      const arrival = {
        fromStatus: null,
        toStatus: changes[0]?.fromStatus ?? (comment.status as CommentStatus),
        actor: 'rules',
        note: arrivalNote,
        createdAt: comment.createdAt,
      };
      return { ...asModerated(comment), history: [arrival, ...changes] };
    },

    /** Each comment's status and post, and what the spam filter reads and learned of it. */
    async statusesOf(
      ids: readonly number[],
    ): Promise<(TrainingComment & { status: CommentStatus; postSlug: string })[]> {
      const rows = await db.comment.findMany({
        where: { id: { in: [...ids] } },
        select: { ...trainingFields, post: { select: { slug: true } } },
      });
      return rows.map(({ post, ...row }) => ({
        ...asTraining(row),
        status: row.status as CommentStatus,
        postSlug: post.slug,
      }));
    },

    /** The status each comment had before it was last moved to the trash (for "restore"). */
    async statusesBeforeTrash(ids: readonly number[]): Promise<Map<number, CommentStatus>> {
      const changes = await db.commentStatusChange.findMany({
        where: { commentId: { in: [...ids] }, toStatus: 'trash' },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { commentId: true, fromStatus: true },
      });
      return new Map(
        changes
          .filter((change) => change.fromStatus)
          .map((change) => [change.commentId, change.fromStatus as CommentStatus]),
      );
    },

    /**
     * Moves each comment to its new status and records the change, all in one transaction, with
     * `alsoWrite` (what the spam filter learns of it). A comment no longer in the status it was read
     * in (another request moved it meanwhile) rolls it all back: StaleReadError, to read again.
     */
    async applyStatusChanges(
      changes: { id: number; from: CommentStatus; to: CommentStatus }[],
      actor: string,
      at: Date,
      alsoWrite?: TransactionWork,
    ): Promise<void> {
      const moves = new Map<string, { from: CommentStatus; to: CommentStatus; ids: number[] }>();
      for (const { id, from, to } of changes) {
        const move = moves.get(`${from}>${to}`) ?? { from, to, ids: [] };
        move.ids.push(id);
        moves.set(`${from}>${to}`, move);
      }
      await db.$transaction(async (tx) => {
        // On PostgreSQL the comments' posts are locked first, in one order for every transaction:
        // each update's count trigger locks its post, and two bulk actions taking the same posts
        // in different orders would each wait for the other.
        if (dialect.engine === 'postgres' && changes.length > 0)
          await tx.$executeRaw`SELECT 1 FROM "Post" WHERE id IN (SELECT "postId" FROM "Comment" WHERE id IN (${Prisma.join(
            changes.map((change) => change.id),
          )})) ORDER BY id FOR NO KEY UPDATE`;
        // The lesson first: it checks each comment is as it was read, which the moves change.
        await alsoWrite?.(tx);
        for (const { from, to, ids } of moves.values()) {
          const { count } = await tx.comment.updateMany({
            where: { id: { in: ids }, status: from },
            data: { status: to },
          });
          if (count !== ids.length) throw new StaleReadError();
        }
        if (changes.length > 0)
          await tx.commentStatusChange.createMany({
            data: changes.map(({ id, from, to }) => ({
              commentId: id,
              fromStatus: from,
              toStatus: to,
              actor,
              createdAt: at,
            })),
          });
      });
    },

    /** Stores the post author's reply, approved and marked as theirs; its id. */
    async insertAuthorReply(reply: {
      postId: number;
      parentId: number;
      authorName: string;
      text: string;
      textHtml: string;
      note: string;
      now: Date;
    }): Promise<number> {
      const created = await db.comment.create({
        data: {
          postId: reply.postId,
          parentId: reply.parentId,
          authorName: reply.authorName,
          authorEmail: '',
          text: reply.text,
          textHtml: reply.textHtml,
          status: 'approved',
          byPostAuthor: true,
          arrivalNote: reply.note,
          createdAt: reply.now,
        },
        select: { id: true },
      });
      return created.id;
    },

    /** Pins or unpins, locks or unlocks a comment. */
    async setThreadFlags(id: number, flags: { pinnedAt?: Date | null; repliesLocked?: boolean }): Promise<void> {
      await db.comment.update({ where: { id }, data: flags });
    },

    /** Saves a moderator's edit, with `alsoWrite` (what the spam filter learns again) in its transaction. */
    async update(id: number, edit: CommentEdit, alsoWrite?: TransactionWork): Promise<void> {
      await db.$transaction(async (tx) => {
        await alsoWrite?.(tx);
        await tx.comment.update({ where: { id }, data: edit });
      });
    },

    async delete(id: number): Promise<void> {
      await db.comment.delete({ where: { id } });
    },
  };
}
