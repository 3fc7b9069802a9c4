import type { Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';
import type { ArrivingComment } from '../moderation/moderation-rules';
import type { CommentStatus } from './comment-status';

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
}

/** A comment with what its author may change and the rules look at (never sent to a page as is). */
export interface AuthoredComment extends ArrivingComment {
  id: number;
  status: CommentStatus;
  createdAt: Date;
}

export interface NewCommentRecord extends ArrivingComment {
  postId: number;
  parentId: number | null;
  textHtml: string;
  status: CommentStatus;
  /** Why the rules gave it its status; the first entry of its status history. */
  statusNote: string;
}

/** A comment just stored, and if it heads its own thread, the number of threads before it. */
export interface StoredComment {
  comment: PublicComment;
  threadsBefore: number | null;
}

// Selecting only these columns is what keeps email, IP and user agent out of every public view.
const publicFields = {
  id: true,
  parentId: true,
  authorName: true,
  authorUrl: true,
  text: true,
  textHtml: true,
  status: true,
  createdAt: true,
} as const;

// The queries behind every page render and every submission are written in SQL and run through
// Prisma's $queryRaw: its query interpreter and result mapping cost more than SQLite's own work
// (a 20-comment read: ~350 µs typed, ~190 µs raw), and these run on every request. Under the
// bench's load, measured alternately against the typed queries: +25 % comment POSTs/s, +10 %
// uncached pages/s. Exported for the query-plan tests; the repository's tests run each one.
// They select the same public columns as the typed queries, named once above.
const publicColumns = Prisma.raw(Object.keys(publicFields).join(', '));

/**
 * Whether comment `c` heads a thread on its post's public pages, as buildCommentThreads nests them:
 * with threading off (`threaded` false) every approved comment does; otherwise one whose parent is
 * not an approved comment of the same post listed before it (oldest first, then by id).
 */
const headsThread = (threaded: boolean) =>
  threaded
    ? Prisma.sql`(c.parentId IS NULL OR NOT EXISTS (SELECT 1 FROM Comment AS p WHERE p.id = c.parentId AND p.postId = c.postId
        AND p.status = 'approved' AND (p.createdAt < c.createdAt OR (p.createdAt = c.createdAt AND p.id < c.id))))`
    : Prisma.sql`1`;

export const commentSql = {
  approvedOfPost: (postId: number) =>
    Prisma.sql`SELECT ${publicColumns} FROM Comment WHERE postId = ${postId} AND status = 'approved' ORDER BY createdAt, id`,
  /**
   * How many threads come before the one that holds this comment, as its author sees the post:
   * the thread's head is the comment's furthest ancestor reached through approved comments listed
   * before each other (the comment itself if its parent is not shown); the threads before it are
   * the approved heads listed before that one.
   */
  threadsBefore: (postId: number, commentId: number) =>
    Prisma.sql`WITH RECURSIVE chain (id, parentId, createdAt, depth) AS (
        SELECT id, parentId, createdAt, 0 FROM Comment WHERE id = ${commentId} AND postId = ${postId}
        UNION ALL
        SELECT p.id, p.parentId, p.createdAt, chain.depth + 1 FROM chain JOIN Comment AS p ON p.id = chain.parentId
        WHERE p.postId = ${postId} AND p.status = 'approved' AND (p.createdAt < chain.createdAt OR (p.createdAt = chain.createdAt AND p.id < chain.id))
      ),
      head AS (SELECT id, createdAt FROM chain ORDER BY depth DESC LIMIT 1)
      SELECT COUNT(*) AS threadsBefore FROM head, Comment AS c
      WHERE c.postId = ${postId} AND c.status = 'approved' AND (c.createdAt < head.createdAt OR (c.createdAt = head.createdAt AND c.id < head.id))
        AND ${headsThread(true)}`,
  duplicateOf: (postId: number, authorEmail: string, text: string) =>
    Prisma.sql`SELECT id FROM Comment WHERE postId = ${postId} AND authorEmail = ${authorEmail} AND text = ${text} AND status <> 'trash' LIMIT 1`,
  latestFrom: (authorEmail: string, ipAddress: string | null, since: Date) =>
    Prisma.sql`SELECT createdAt FROM Comment WHERE createdAt >= ${since}
      AND (authorEmail = ${authorEmail}${ipAddress === null ? Prisma.empty : Prisma.sql` OR ipAddress = ${ipAddress}`})
      ORDER BY createdAt DESC LIMIT 1`,
  // Dates go in as Date values, which the adapter writes in the same form as Prisma's own
  // queries; both are set here, as Prisma's @default(now()) and @updatedAt would. A comment that
  // heads its own thread (top level, or any comment with threading off) is the newest thread, so
  // the INSERT also counts the threads before it: every other approved head. The new row is left
  // out by id, since SQLite does not promise whether a subquery in RETURNING sees it.
  insertUnlessRepeated: (comment: NewCommentRecord, now: Date, floodSince: Date | null, threaded: boolean) => {
    const { postId, parentId, authorName, authorEmail, authorUrl, text, textHtml, status, ipAddress, userAgent, statusNote } = comment;
    const notFlooding = floodSince ? Prisma.sql`AND NOT EXISTS (${commentSql.latestFrom(authorEmail, ipAddress, floodSince)})` : Prisma.empty;
    return Prisma.sql`INSERT INTO Comment (postId, parentId, authorName, authorEmail, authorUrl, text, textHtml, status, ipAddress, userAgent, arrivalNote, createdAt, updatedAt)
      SELECT ${postId}, ${parentId}, ${authorName}, ${authorEmail}, ${authorUrl}, ${text}, ${textHtml}, ${status}, ${ipAddress}, ${userAgent}, ${statusNote}, ${now}, ${now}
      WHERE NOT EXISTS (${commentSql.duplicateOf(postId, authorEmail, text)}) ${notFlooding}
      RETURNING ${publicColumns}, CASE WHEN ${threaded ? Prisma.sql`parentId IS NULL` : Prisma.sql`1`} THEN (
        SELECT COUNT(*) FROM Comment AS c WHERE c.postId = ${postId} AND c.status = 'approved' AND c.id <> Comment.id AND ${headsThread(threaded)}
      ) END AS threadsBefore`;
  },
};

type PublicRow = Omit<PublicComment, 'status'> & { status: string };

function toPublic(row: PublicRow): PublicComment {
  return { ...row, status: row.status === 'approved' ? 'approved' : 'pending' };
}

export type CommentsRepository = ReturnType<typeof createCommentsRepository>;

/** Prisma access for comments; returns plain objects. */
export function createCommentsRepository(db: Database) {
  return {
    /**
     * Stores a comment and the reason for its status, unless it repeats one (`duplicateOf`) or,
     * with `floodSince`, its sender has commented since then (`latestFrom`); null when refused.
     * One statement for the checks, the INSERT and, for a comment that heads its own thread, the
     * count that places it on its page: no two submissions can pass the checks together, and
     * Prisma's cost per query (more than SQLite's own work here) is paid once, not three or four times.
     */
    async createUnlessRepeated(comment: NewCommentRecord, floodSince: Date | null, options: { threaded: boolean }): Promise<StoredComment | null> {
      const [row] = await db.$queryRaw<(PublicRow & { threadsBefore: bigint | null })[]>(
        commentSql.insertUnlessRepeated(comment, new Date(), floodSince, options.threaded),
      );
      if (!row) return null;
      // COUNT(*) has no declared type: it comes back as a bigint.
      const { threadsBefore, ...stored } = row;
      return { comment: toPublic(stored), threadsBefore: threadsBefore === null ? null : Number(threadsBefore) };
    },

    /** How many threads come before the one holding this comment, for its author (threading on). */
    async countThreadsBefore(postId: number, commentId: number): Promise<number> {
      const [row] = await db.$queryRaw<{ threadsBefore: bigint }[]>(commentSql.threadsBefore(postId, commentId));
      return Number(row?.threadsBefore ?? 0);
    },

    /** Whether this name and email already have an approved comment (the "known" moderation mode). */
    async hasApprovedComment(authorEmail: string, authorName: string): Promise<boolean> {
      const found = await db.comment.findFirst({ where: { authorEmail, authorName, status: 'approved' }, select: { id: true } });
      return found !== null;
    },

    /** Approved comments of a post, plus the given unapproved ones (the viewer's own), oldest first. */
    async listVisibleForPost(postId: number, ownPendingIds: readonly number[] = []): Promise<PublicComment[]> {
      // Two queries, each on an index (post+status+date, and the primary key): one query with an OR
      // across both would scan every comment of the post, held and spam included.
      const [approved, own] = await Promise.all([
        db.$queryRaw<PublicRow[]>(commentSql.approvedOfPost(postId)),
        ownPendingIds.length
          ? db.comment.findMany({ where: { id: { in: [...ownPendingIds] }, postId, status: { in: ['pending', 'spam'] } }, select: publicFields })
          : [],
      ]);
      if (own.length === 0) return approved.map(toPublic);
      const byDate = (a: { createdAt: Date; id: number }, b: { createdAt: Date; id: number }) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id;
      return [...approved, ...own].sort(byDate).map(toPublic);
    },

    /** Whether this email already said exactly this on this post (trash aside, as WordPress does). */
    async hasDuplicate(postId: number, authorEmail: string, text: string): Promise<boolean> {
      const found = await db.$queryRaw<{ id: number }[]>(commentSql.duplicateOf(postId, authorEmail, text));
      return found.length > 0;
    },

    /** When this IP address or email last commented, if since `since`. */
    async lastCommentTime(ipAddress: string | null, authorEmail: string, since: Date): Promise<Date | null> {
      const [latest] = await db.$queryRaw<{ createdAt: Date }[]>(commentSql.latestFrom(authorEmail, ipAddress, since));
      return latest?.createdAt ?? null;
    },

    async findAuthored(id: number, postId: number): Promise<AuthoredComment | null> {
      const row = await db.comment.findFirst({
        where: { id, postId },
        select: { id: true, status: true, authorName: true, authorEmail: true, authorUrl: true, text: true, ipAddress: true, userAgent: true, createdAt: true },
      });
      return row && { ...row, status: row.status as CommentStatus };
    },

    /** Replaces the text (by its author); a status change it causes is recorded with the note. */
    async updateText(id: number, change: { text: string; textHtml: string; from: CommentStatus; to: CommentStatus; note: string }): Promise<void> {
      await db.comment.update({
        where: { id },
        data: {
          text: change.text,
          textHtml: change.textHtml,
          status: change.to,
          ...(change.from !== change.to
            ? { statusChanges: { create: { fromStatus: change.from, toStatus: change.to, actor: 'author', note: change.note } } }
            : {}),
        },
      });
    },

    async delete(id: number): Promise<void> {
      await db.comment.delete({ where: { id } });
    },

    async findInPost(id: number, postId: number): Promise<PublicComment | null> {
      const row = await db.comment.findFirst({ where: { id, postId }, select: publicFields });
      return row && toPublic(row);
    },
  };
}
