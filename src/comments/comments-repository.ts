import { dialectOf, type Database } from '../db/database';
import { createLockedStatements, dateFromJson } from '../db/postgres-locks';
import type { ArrivingComment } from '../moderation/moderation-rules';
import type { CommentStatus } from '../shared/comment-status';
import { spamLabelOf, type SpamLabel } from '../spam-filter/naive-bayes';
import type { TransactionWork } from '../spam-filter/spam-model-repository';
import { commentQueries, publicFields, type Sender, type ThreadView } from './comments-sql';

export type { Sender, ThreadView } from './comments-sql';

/**
 * A comment as public pages may show it: no email, IP or user agent, and no moderation verdict
 * beyond approved or not (a submitter whose comment went to spam sees it as awaiting moderation).
 */
export interface PublicComment {
  id: number;
  parentId: number | null;
  authorName: string;
  authorUrl: string | null;
  text: string;
  textHtml: string;
  status: 'approved' | 'pending';
  createdAt: Date;
  /** Written by the post's author (the "Author" badge). */
  byPostAuthor: boolean;
  /** Locked by the moderator: no replies under it. */
  repliesLocked: boolean;
  /** Deleted at its author's request, kept for the replies under it: shown as "deleted", without name or words. */
  erased: boolean;
}

/** A comment with what its author may change and the rules look at (never sent to a page as is). */
export interface AuthoredComment extends ArrivingComment {
  id: number;
  status: CommentStatus;
  createdAt: Date;
  /** What it taught the spam filter (a moderator's decision on it); null: nothing. */
  spamLabel: SpamLabel | null;
  /** When it last changed (the spam filter's lessons check it). */
  updatedAt: Date;
}

export interface NewCommentRecord extends ArrivingComment {
  postId: number;
  /** The sender's network (see `Sender`). */
  clientNetwork: string | null;
  parentId: number | null;
  textHtml: string;
  status: CommentStatus;
  /** Why the rules gave it its status; the first entry of its status history. */
  statusNote: string;
  /** Its author asked to hear of follow-up comments (the outbox mails a confirmation). */
  wantsReplies: boolean;
  /** The spam filter's score, and its reasons as stored (null: not scored). */
  spamScore: number | null;
  spamReasons: string | null;
}

type PublicRow = Omit<PublicComment, 'status'> & { status: string };

function toPublic(row: PublicRow): PublicComment {
  // A raw query on SQLite may answer a BOOLEAN column with 0 or 1.
  return {
    ...row,
    status: row.status === 'approved' ? 'approved' : 'pending',
    byPostAuthor: Boolean(row.byPostAuthor),
    repliesLocked: Boolean(row.repliesLocked),
    erased: Boolean(row.erased),
  };
}

/** A comment just stored, and if it heads its own thread, the number of threads before it in its author's view. */
export interface StoredComment {
  comment: PublicComment;
  threadsBefore: number | null;
}

export type CommentsRepository = ReturnType<typeof createCommentsRepository>;

/** Prisma access for comments; returns plain objects. */
export function createCommentsRepository(db: Database) {
  const dialect = dialectOf(db);
  // On PostgreSQL, the INSERTs run after their locks, those of one moment in one round trip.
  const lockedStatements = dialect.engine === 'postgres' ? createLockedStatements(db) : null;
  const commentSql = commentQueries(dialect);
  /** Approved comments of a post (null if more than `maxApproved`), with the viewer's own unapproved ones, oldest first. */
  async function listVisible(
    postId: number,
    ownPendingIds: readonly number[],
    maxApproved: number | null,
  ): Promise<PublicComment[] | null> {
    // Two queries, each on an index (post+status+date, and the primary key): one query with an OR
    // across both would scan every comment of the post, held and spam included.
    const [approved, own] = await Promise.all([
      db.$queryRaw<PublicRow[]>(commentSql.approvedOfPost(postId, maxApproved === null ? null : maxApproved + 1)),
      ownPendingIds.length
        ? db.comment.findMany({
            where: { id: { in: [...ownPendingIds] }, postId, status: { in: ['pending', 'spam'] } },
            select: publicFields,
          })
        : [],
    ]);
    if (maxApproved !== null && approved.length > maxApproved) return null;
    if (own.length === 0) return approved.map(toPublic);
    const byDate = (a: { createdAt: Date; id: number }, b: { createdAt: Date; id: number }) =>
      a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id;
    return [...approved, ...own].sort(byDate).map(toPublic);
  }

  return {
    /**
     * Stores a comment and the reason for its status, unless its sender said the same on this post
     * before (`duplicateOf`) or, with `floodSince`, has commented since then (`latestFrom`); null
     * when refused. One statement for the checks, the INSERT and, for a comment heading its own
     * thread, its place among the threads: no two submissions can pass the checks together, and
     * Prisma's cost per query (more than SQLite's own work here) is paid once.
     */
    async createUnlessRepeated(
      comment: NewCommentRecord,
      now: Date,
      checks: { sender: Sender; floodSince: Date | null },
      view: Omit<ThreadView, 'postId'>,
    ): Promise<StoredComment | null> {
      type InsertedRow = PublicRow & { threadsBefore: bigint | number | null };
      const insert = commentSql.insertUnlessRepeated(comment, now, checks, { ...view, postId: comment.postId });
      let row: InsertedRow | undefined;
      if (!lockedStatements) {
        // SQLite has one writer at a time: the checks and the INSERT of one statement see every
        // comment stored before it.
        [row] = await db.$queryRaw<InsertedRow[]>(insert);
      } else {
        // PostgreSQL runs writers side by side, each statement seeing what was committed when it
        // began: two identical submissions at once (to two instances, say) would both pass the
        // checks. Locks held to the commit keep them apart: one on these words on this post (the
        // duplicate check), and with the flood check, one on the sender's network. The INSERT
        // runs once they are held and sees whatever an earlier holder stored: one round trip,
        // shared with the INSERTs sent at the same moment (postgres-locks.ts).
        const lockKeys = [
          `${comment.postId}:${comment.text}`,
          ...(checks.floodSince ? [`flood:${checks.sender.network ?? ''}`] : []),
        ];
        type JsonInsertedRow = Omit<InsertedRow, 'createdAt'> & { createdAt: string };
        const [inserted] = (await lockedStatements.run(lockKeys, insert, comment.postId)) as JsonInsertedRow[];
        row = inserted && { ...inserted, createdAt: dateFromJson(inserted.createdAt) };
      }
      if (!row) return null;
      // A count comes back as a bigint.
      const { threadsBefore, ...stored } = row;
      return { comment: toPublic(stored), threadsBefore: threadsBefore === null ? null : Number(threadsBefore) };
    },

    /** How many threads of the view come before the one holding this comment; null if it is not in the view. */
    async countThreadsBefore(view: ThreadView, commentId: number): Promise<number | null> {
      const [row] = await db.$queryRaw<{ threadsBefore: bigint }[]>(commentSql.threadsBefore(view, commentId));
      return row ? Number(row.threadsBefore) : null;
    },

    /** Whether this sender has an approved comment under this name and email (the "known" moderation mode). */
    async hasApprovedComment(authorEmail: string, authorName: string, sender: Sender): Promise<boolean> {
      const found = await db.$queryRaw<{ id: number }[]>(commentSql.approvedFrom(authorEmail, authorName, sender));
      return found.length > 0;
    },

    /** Approved comments of a post, plus the given unapproved ones (the viewer's own), oldest first. */
    async listVisibleForPost(postId: number, ownPendingIds: readonly number[] = []): Promise<PublicComment[]> {
      return (await listVisible(postId, ownPendingIds, null)) ?? [];
    },

    /** As listVisibleForPost, or null if the post has more than `maxApproved` approved comments (not read). */
    async listVisibleForPostUpTo(
      postId: number,
      ownPendingIds: readonly number[],
      maxApproved: number,
    ): Promise<PublicComment[] | null> {
      return listVisible(postId, ownPendingIds, maxApproved);
    },

    /** How many threads the view has, and how many approved comments its post has. */
    async countThreads(view: ThreadView): Promise<{ threads: number; approved: number }> {
      const [row] = await db.$queryRaw<{ threads: bigint; approved: bigint }[]>(commentSql.threadCounts(view));
      return { threads: Number(row?.threads ?? 0), approved: Number(row?.approved ?? 0) };
    },

    /** The comments of `limit` whole threads of the view after the first `offset`, oldest first. */
    async listThreadsOfView(view: ThreadView, offset: number, limit: number): Promise<PublicComment[]> {
      const rows = await db.$queryRaw<PublicRow[]>(commentSql.threadsOfView(view, offset, limit));
      return rows.map(toPublic);
    },

    /** Whether this sender already said exactly this on this post (trash aside, as WordPress does). */
    async hasDuplicate(postId: number, text: string, sender: Sender): Promise<boolean> {
      const found = await db.$queryRaw<{ id: number }[]>(commentSql.duplicateOf(postId, text, sender));
      return found.length > 0;
    },

    /** When this sender last commented, if since `since`. */
    async lastCommentTime(sender: Sender, since: Date): Promise<Date | null> {
      const [latest] = await db.$queryRaw<{ createdAt: Date }[]>(commentSql.latestFrom(sender, since));
      return latest?.createdAt ?? null;
    },

    async findAuthored(id: number, postId: number): Promise<AuthoredComment | null> {
      const row = await db.comment.findFirst({
        // An erased comment is no one's to change any more.
        where: { id, postId, erased: false },
        select: {
          id: true,
          status: true,
          authorName: true,
          authorEmail: true,
          authorUrl: true,
          text: true,
          ipAddress: true,
          userAgent: true,
          createdAt: true,
          spamLabel: true,
          updatedAt: true,
        },
      });
      return row && { ...row, status: row.status as CommentStatus, spamLabel: spamLabelOf(row.spamLabel) };
    },

    /** Replaces the text (by its author); a status change it causes is recorded with the note. */
    async updateText(
      id: number,
      change: { text: string; textHtml: string; from: CommentStatus; to: CommentStatus; note: string },
      alsoWrite?: TransactionWork,
    ): Promise<void> {
      await db.$transaction(async (tx) => {
        // The lesson first: it checks the comment is as it was read, which the edit changes.
        await alsoWrite?.(tx);
        await tx.comment.update({
          where: { id },
          data: {
            text: change.text,
            textHtml: change.textHtml,
            status: change.to,
            ...(change.from !== change.to
              ? {
                  statusChanges: {
                    create: { fromStatus: change.from, toStatus: change.to, actor: 'author', note: change.note },
                  },
                }
              : {}),
          },
        });
      });
    },

    async delete(id: number): Promise<void> {
      await db.comment.delete({ where: { id } });
    },

    /** Which of these comments are on this post and not binned, with what decides how their author sees them. */
    async findOwnOnPost(
      postId: number,
      ids: readonly number[],
    ): Promise<{ id: number; status: string; createdAt: Date }[]> {
      return db.comment.findMany({
        where: { id: { in: [...ids] }, postId, status: { not: 'trash' } },
        select: { id: true, status: true, createdAt: true },
      });
    },

    /** The posts with a pinned comment shown (through the index on pinnedAt: a few entries past the NULLs). */
    async postsWithPinnedComments(): Promise<Set<number>> {
      const rows = await db.comment.findMany({
        where: { pinnedAt: { not: null }, status: 'approved', erased: false },
        select: { postId: true },
        distinct: ['postId'],
      });
      return new Set(rows.map((row) => row.postId));
    },

    async pinnedOf(postId: number): Promise<PublicComment[]> {
      const rows = await db.comment.findMany({
        where: { postId, pinnedAt: { not: null }, status: 'approved', erased: false },
        orderBy: [{ pinnedAt: 'asc' }, { id: 'asc' }],
        select: publicFields,
        take: 10,
      });
      return rows.map(toPublic);
    },

    /** Whether the moderator locked this comment or one above it: no replies under it. */
    async isInLockedThread(id: number): Promise<boolean> {
      const rows = await db.$queryRaw<{ locked: unknown }[]>(commentSql.lockedAbove(id));
      return rows.length > 0;
    },

    async findInPost(id: number, postId: number): Promise<PublicComment | null> {
      const row = await db.comment.findFirst({ where: { id, postId }, select: publicFields });
      return row && toPublic(row);
    },
  };
}
