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

/** A comment just stored, and if it heads its own thread, the number of threads before it in its author's view. */
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
 * What one viewer sees of a post's comments: the approved ones and, for their author, their own
 * awaiting moderation (`ownIds`, from the author's cookie); threaded, or one flat list
 * (COMMENT_THREAD_DEPTH=1). The SQL below places a comment among the threads of this view as
 * buildCommentThreads does; a test holds the two to the same answers.
 */
export interface ThreadView {
  postId: number;
  ownIds: readonly number[];
  threaded: boolean;
}

/** Whether comment `alias` is in the view: approved, or one of the viewer's own held or spam ones. */
function inView(alias: string, { postId, ownIds }: ThreadView) {
  const a = Prisma.raw(alias);
  const own = ownIds.length > 0 ? Prisma.sql` OR (${a}.id IN (${Prisma.join([...ownIds])}) AND ${a}.status IN ('pending', 'spam'))` : Prisma.empty;
  return Prisma.sql`(${a}.postId = ${postId} AND (${a}.status = 'approved'${own}))`;
}

/** Whether comment `a` is listed before comment `b` (oldest first, then by id). */
function listedBefore(a: string, b: string) {
  const [x, y] = [Prisma.raw(a), Prisma.raw(b)];
  return Prisma.sql`(${x}.createdAt < ${y}.createdAt OR (${x}.createdAt = ${y}.createdAt AND ${x}.id < ${y}.id))`;
}

/** Whether comment `alias`, in the view, heads a thread: threading is off, or its parent is not in the view before it. */
function headsThread(alias: string, view: ThreadView) {
  const c = Prisma.raw(alias);
  return view.threaded
    ? Prisma.sql`(${c}.parentId IS NULL OR NOT EXISTS (SELECT 1 FROM Comment AS p WHERE p.id = ${c}.parentId AND ${inView('p', view)} AND ${listedBefore('p', alias)}))`
    : Prisma.sql`1`;
}

/**
 * The id and date of every comment heading a thread of the view, in no order. Approved comments
 * and the viewer's own are read apart, each through its index, as in threadsListedBefore.
 */
function threadHeads(view: ThreadView) {
  const approved = Prisma.sql`SELECT c.id, c.createdAt FROM Comment AS c WHERE c.postId = ${view.postId} AND c.status = 'approved' AND ${headsThread('c', view)}`;
  if (view.ownIds.length === 0) return approved;
  return Prisma.sql`${approved} UNION ALL SELECT c.id, c.createdAt FROM Comment AS c WHERE c.id IN (${Prisma.join([...view.ownIds])})
    AND c.postId = ${view.postId} AND c.status IN ('pending', 'spam') AND ${headsThread('c', view)}`;
}

/**
 * How many threads of the view are listed before comment `anchor` (an alias of the outer query).
 * A comment in view heads a thread unless threading is on and its parent is in view and listed
 * before it. Approved comments and the viewer's own are counted apart, each through its index.
 */
function threadsListedBefore(view: ThreadView, anchor: string) {
  const heads = headsThread('c', view);
  const approved = Prisma.sql`(SELECT COUNT(*) FROM Comment AS c WHERE c.postId = ${view.postId} AND c.status = 'approved' AND ${listedBefore('c', anchor)} AND ${heads})`;
  if (view.ownIds.length === 0) return approved;
  const own = Prisma.sql`(SELECT COUNT(*) FROM Comment AS c WHERE c.id IN (${Prisma.join([...view.ownIds])}) AND c.postId = ${view.postId}
    AND c.status IN ('pending', 'spam') AND ${listedBefore('c', anchor)} AND ${heads})`;
  return Prisma.sql`${approved} + ${own}`;
}

export const commentSql = {
  // The limit is written into the SQL, not bound: a bound LIMIT cost an uncached page 10 % more
  // CPU (measured alternately), most of it in the query's own run.
  approvedOfPost: (postId: number, limit: number | null = null) =>
    Prisma.sql`SELECT ${publicColumns} FROM Comment WHERE postId = ${postId} AND status = 'approved' ORDER BY createdAt, id${limit === null ? Prisma.empty : Prisma.raw(` LIMIT ${Math.trunc(limit)}`)}`,
  /**
   * How many threads of the view come before the one holding this comment; no row if the comment
   * is not in the view. Its thread's head is its furthest ancestor reached through comments in
   * view, each listed before the one below it (with threading off, the comment itself).
   */
  threadsBefore: (view: ThreadView, commentId: number) =>
    Prisma.sql`WITH RECURSIVE chain (id, parentId, createdAt, depth) AS (
        SELECT x.id, x.parentId, x.createdAt, 0 FROM Comment AS x WHERE x.id = ${commentId} AND ${inView('x', view)}
        UNION ALL
        SELECT p.id, p.parentId, p.createdAt, chain.depth + 1 FROM chain JOIN Comment AS p ON p.id = chain.parentId
        WHERE ${view.threaded ? Prisma.sql`1` : Prisma.sql`0`} AND ${inView('p', view)} AND ${listedBefore('p', 'chain')}
      ),
      head AS (SELECT id, createdAt FROM chain ORDER BY depth DESC LIMIT 1)
      SELECT ${threadsListedBefore(view, 'head')} AS threadsBefore FROM head`,
  /** How many threads the view has, and how many approved comments the post has. */
  threadCounts: (view: ThreadView) =>
    Prisma.sql`SELECT (SELECT COUNT(*) FROM (${threadHeads(view)})) AS threads,
      (SELECT COUNT(*) FROM Comment WHERE postId = ${view.postId} AND status = 'approved') AS approved`,
  /**
   * The comments of `limit` threads of the view after the first `offset`, oldest first: their
   * heads, and every comment in view below a comment of theirs and listed after it. The replies
   * are found by their parent's key; left to itself, SQLite reads each parent's replies by
   * post and status instead, every approved comment of the post once per comment of the page.
   */
  threadsOfView: (view: ThreadView, offset: number, limit: number) =>
    Prisma.sql`WITH RECURSIVE head AS (
        SELECT id, createdAt FROM (${threadHeads(view)}) ORDER BY createdAt, id LIMIT ${limit} OFFSET ${offset}
      ),
      member (id, createdAt) AS (
        SELECT id, createdAt FROM head
        UNION ALL
        SELECT r.id, r.createdAt FROM member JOIN Comment AS r INDEXED BY Comment_parentId_idx ON r.parentId = member.id
        WHERE ${view.threaded ? Prisma.sql`1` : Prisma.sql`0`} AND ${inView('r', view)} AND ${listedBefore('member', 'r')}
      )
      SELECT ${publicColumns} FROM Comment WHERE id IN (SELECT id FROM member) ORDER BY createdAt, id`,
  duplicateOf: (postId: number, authorEmail: string, text: string) =>
    Prisma.sql`SELECT id FROM Comment WHERE postId = ${postId} AND authorEmail = ${authorEmail} AND text = ${text} AND status <> 'trash' LIMIT 1`,
  latestFrom: (authorEmail: string, ipAddress: string | null, since: Date) =>
    Prisma.sql`SELECT createdAt FROM Comment WHERE createdAt >= ${since}
      AND (authorEmail = ${authorEmail}${ipAddress === null ? Prisma.empty : Prisma.sql` OR ipAddress = ${ipAddress}`})
      ORDER BY createdAt DESC LIMIT 1`,
  // Dates go in as Date values, which the adapter writes in the same form as Prisma's own
  // queries; both are set here, as Prisma's @default(now()) and @updatedAt would. A comment that
  // heads its own thread (top level, or any comment with threading off) also gets the number of
  // threads listed before it in its author's view, counted in the same statement.
  insertUnlessRepeated: (comment: NewCommentRecord, now: Date, floodSince: Date | null, view: ThreadView) => {
    const { postId, parentId, authorName, authorEmail, authorUrl, text, textHtml, status, ipAddress, userAgent, statusNote } = comment;
    const notFlooding = floodSince ? Prisma.sql`AND NOT EXISTS (${commentSql.latestFrom(authorEmail, ipAddress, floodSince)})` : Prisma.empty;
    return Prisma.sql`INSERT INTO Comment (postId, parentId, authorName, authorEmail, authorUrl, text, textHtml, status, ipAddress, userAgent, arrivalNote, createdAt, updatedAt)
      SELECT ${postId}, ${parentId}, ${authorName}, ${authorEmail}, ${authorUrl}, ${text}, ${textHtml}, ${status}, ${ipAddress}, ${userAgent}, ${statusNote}, ${now}, ${now}
      WHERE NOT EXISTS (${commentSql.duplicateOf(postId, authorEmail, text)}) ${notFlooding}
      RETURNING ${publicColumns}, CASE WHEN ${view.threaded ? Prisma.sql`parentId IS NULL` : Prisma.sql`1`} THEN ${threadsListedBefore(view, 'Comment')} END AS threadsBefore`;
  },
};

type PublicRow = Omit<PublicComment, 'status'> & { status: string };

function toPublic(row: PublicRow): PublicComment {
  return { ...row, status: row.status === 'approved' ? 'approved' : 'pending' };
}

export type CommentsRepository = ReturnType<typeof createCommentsRepository>;

/** Prisma access for comments; returns plain objects. */
export function createCommentsRepository(db: Database) {
  /** Approved comments of a post (null if more than `maxApproved`), with the viewer's own unapproved ones, oldest first. */
  async function listVisible(postId: number, ownPendingIds: readonly number[], maxApproved: number | null): Promise<PublicComment[] | null> {
    // Two queries, each on an index (post+status+date, and the primary key): one query with an OR
    // across both would scan every comment of the post, held and spam included.
    const [approved, own] = await Promise.all([
      db.$queryRaw<PublicRow[]>(commentSql.approvedOfPost(postId, maxApproved === null ? null : maxApproved + 1)),
      ownPendingIds.length
        ? db.comment.findMany({ where: { id: { in: [...ownPendingIds] }, postId, status: { in: ['pending', 'spam'] } }, select: publicFields })
        : [],
    ]);
    if (maxApproved !== null && approved.length > maxApproved) return null;
    if (own.length === 0) return approved.map(toPublic);
    const byDate = (a: { createdAt: Date; id: number }, b: { createdAt: Date; id: number }) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id;
    return [...approved, ...own].sort(byDate).map(toPublic);
  }

  return {
    /**
     * Stores a comment and the reason for its status, unless it repeats one (`duplicateOf`) or,
     * with `floodSince`, its sender has commented since then (`latestFrom`); null when refused.
     * One statement for the checks, the INSERT and, for a comment that heads its own thread, the
     * count that places it on its page: no two submissions can pass the checks together, and
     * Prisma's cost per query (more than SQLite's own work here) is paid once, not three or four times.
     */
    async createUnlessRepeated(comment: NewCommentRecord, floodSince: Date | null, view: Omit<ThreadView, 'postId'>): Promise<StoredComment | null> {
      const [row] = await db.$queryRaw<(PublicRow & { threadsBefore: bigint | null })[]>(
        commentSql.insertUnlessRepeated(comment, new Date(), floodSince, { ...view, postId: comment.postId }),
      );
      if (!row) return null;
      // COUNT(*) has no declared type: it comes back as a bigint.
      const { threadsBefore, ...stored } = row;
      return { comment: toPublic(stored), threadsBefore: threadsBefore === null ? null : Number(threadsBefore) };
    },

    /** How many threads of the view come before the one holding this comment; null if it is not in the view. */
    async countThreadsBefore(view: ThreadView, commentId: number): Promise<number | null> {
      const [row] = await db.$queryRaw<{ threadsBefore: bigint }[]>(commentSql.threadsBefore(view, commentId));
      return row ? Number(row.threadsBefore) : null;
    },

    /** Whether this name and email already have an approved comment (the "known" moderation mode). */
    async hasApprovedComment(authorEmail: string, authorName: string): Promise<boolean> {
      const found = await db.comment.findFirst({ where: { authorEmail, authorName, status: 'approved' }, select: { id: true } });
      return found !== null;
    },

    /** Approved comments of a post, plus the given unapproved ones (the viewer's own), oldest first. */
    async listVisibleForPost(postId: number, ownPendingIds: readonly number[] = []): Promise<PublicComment[]> {
      return (await listVisible(postId, ownPendingIds, null)) ?? [];
    },

    /** As listVisibleForPost, or null if the post has more than `maxApproved` approved comments (not read). */
    async listVisibleForPostUpTo(postId: number, ownPendingIds: readonly number[], maxApproved: number): Promise<PublicComment[] | null> {
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

    /** Which of these comments are on this post and not binned, with what decides how their author sees them. */
    async findOwnOnPost(postId: number, ids: readonly number[]): Promise<{ id: number; status: string; createdAt: Date }[]> {
      return db.comment.findMany({ where: { id: { in: [...ids] }, postId, status: { not: 'trash' } }, select: { id: true, status: true, createdAt: true } });
    },

    async findInPost(id: number, postId: number): Promise<PublicComment | null> {
      const row = await db.comment.findFirst({ where: { id, postId }, select: publicFields });
      return row && toPublic(row);
    },
  };
}
