import { Prisma } from '../generated/prisma/client';
import type { SqlDialect } from '../db/sql-dialect';
import type { NewCommentRecord } from './comments-repository';

// The comments repository's SQL (commentSql), and the fragments it is built from.

// Selecting only these columns is what keeps email, IP and user agent out of every public view.
export const publicFields = {
  id: true,
  parentId: true,
  authorName: true,
  authorUrl: true,
  text: true,
  textHtml: true,
  status: true,
  createdAt: true,
  byPostAuthor: true,
  repliesLocked: true,
  erased: true,
} as const;

// The queries behind every page render and every submission are written in SQL and run through
// Prisma's $queryRaw: its query interpreter and result mapping cost more than SQLite's own work,
// and these run on every request (docs/PERFORMANCE.md). They select the same public columns as
// the typed queries, named once above.
// commentSql is exported for the query-plan tests; the repository's tests run each query.
const publicColumns = Prisma.raw(
  Object.keys(publicFields)
    .map((name) => `"${name}"`)
    .join(', '),
);

/**
 * What one viewer sees of a post's comments: the approved ones and, for their author, their own
 * awaiting moderation (`ownIds`, from the author's cookie); threaded, or one flat list
 * (COMMENT_THREAD_DEPTH=1). The SQL below places a comment among the threads of this view as
 * buildCommentThreads does; a test holds the two to the same answers.
 */
/**
 * Who sent a submission, as far as it can be proved: their network (an IPv4 address, or an IPv6
 * /56), and the comments their browser posted (its signed cookie). A submission is compared only
 * with that sender's earlier comments, so its answer never tells anything about anyone else's.
 */
export interface Sender {
  network: string | null;
  ownIds: readonly number[];
}

/** Whether comment `alias` came from the sender: their network, or their browser. */
function fromSender(alias: string, { network, ownIds }: Sender) {
  const c = Prisma.raw(alias);
  const conditions = [
    ...(network === null ? [] : [Prisma.sql`${c}."clientNetwork" = ${network}`]),
    ...(ownIds.length === 0 ? [] : [Prisma.sql`${c}.id IN (${Prisma.join([...ownIds])})`]),
  ];
  return conditions.length === 0 ? Prisma.sql`FALSE` : Prisma.join(conditions, ' OR ', '(', ')');
}

export interface ThreadView {
  postId: number;
  ownIds: readonly number[];
  threaded: boolean;
}

/**
 * The comments of the view in two parts, each found through its own index: the post's approved
 * ones (post, status, date) and the viewer's own held or spam ones (by key). A query that reads
 * the view takes each part apart: one condition with an OR across both would read every comment
 * of the post, held and spam included.
 */
function viewParts(alias: string, view: ThreadView): Prisma.Sql[] {
  const c = Prisma.raw(alias);
  const approved = Prisma.sql`${c}."postId" = ${view.postId} AND ${c}.status = 'approved'`;
  if (view.ownIds.length === 0) return [approved];
  return [
    approved,
    Prisma.sql`${c}.id IN (${Prisma.join([...view.ownIds])}) AND ${c}."postId" = ${view.postId} AND ${c}.status IN ('pending', 'spam')`,
  ];
}

/** Whether comment `alias`, found by its key, is in the view: both parts in one condition. */
function inView(alias: string, view: ThreadView) {
  return Prisma.join(
    viewParts(alias, view).map((part) => Prisma.sql`(${part})`),
    ' OR ',
    '(',
    ')',
  );
}

/** Whether comment `a` is listed before comment `b` (oldest first, then by id). */
function listedBefore(a: string, b: string) {
  const [x, y] = [Prisma.raw(a), Prisma.raw(b)];
  return Prisma.sql`(${x}."createdAt" < ${y}."createdAt" OR (${x}."createdAt" = ${y}."createdAt" AND ${x}.id < ${y}.id))`;
}

/** Whether comment `alias`, in the view, heads a thread: threading is off, or its parent is not in the view before it. */
function headsThread(alias: string, view: ThreadView) {
  const c = Prisma.raw(alias);
  return view.threaded
    ? Prisma.sql`(${c}."parentId" IS NULL OR NOT EXISTS (SELECT 1 FROM "Comment" AS p WHERE p.id = ${c}."parentId" AND ${inView('p', view)} AND ${listedBefore('p', alias)}))`
    : Prisma.sql`TRUE`;
}

/** The id and date of every comment heading a thread of the view, in no order. */
function threadHeads(view: ThreadView) {
  const heads = headsThread('c', view);
  return Prisma.join(
    viewParts('c', view).map(
      (part) => Prisma.sql`SELECT c.id, c."createdAt" FROM "Comment" AS c WHERE ${part} AND ${heads}`,
    ),
    ' UNION ALL ',
    '',
    '',
  );
}

/** The viewer's own comments awaiting moderation (held or spam) on the view's post, found by key. */
function ownPart(alias: string, view: ThreadView): Prisma.Sql {
  const c = Prisma.raw(alias);
  return Prisma.sql`${c}.id IN (${Prisma.join([...view.ownIds])}) AND ${c}."postId" = ${view.postId} AND ${c}.status IN ('pending', 'spam')`;
}

/**
 * How many threads the view has, from the post's counts (kept by triggers on Comment) corrected
 * for the viewer's own comments awaiting moderation: those heading threads of their own, less the
 * approved replies to them, which the public sees as threads and this viewer sees under them. A
 * few lookups by key, whatever the post's size. `post` is the outer query's alias of the Post row.
 */
function threadsInView(dialect: SqlDialect, view: ThreadView, post: string) {
  const p = Prisma.raw(post);
  if (view.ownIds.length === 0)
    return view.threaded ? Prisma.sql`${p}."approvedThreads"` : Prisma.sql`${p}."approvedComments"`;
  const ownHeads = Prisma.sql`(SELECT COUNT(*) FROM "Comment" AS c WHERE ${ownPart('c', view)} AND ${headsThread('c', view)})`;
  if (!view.threaded) return Prisma.sql`${p}."approvedComments" + ${ownHeads}`;
  // The replies are found by their parent's key (as in threadsOfView): left to itself, SQLite
  // reads every approved comment of the post instead.
  const repliesToOwn = Prisma.sql`(SELECT COUNT(*) FROM "Comment" AS o JOIN "Comment" AS d ${dialect.indexedBy('Comment_parentId_idx')} ON d."parentId" = o.id
    WHERE ${ownPart('o', view)} AND d."postId" = ${view.postId} AND d.status = 'approved' AND ${listedBefore('o', 'd')})`;
  return Prisma.sql`${p}."approvedThreads" + ${ownHeads} - ${repliesToOwn}`;
}

/**
 * How many threads of the view come before a new comment heading its own thread (top level, or
 * any with threading off), `anchor` being the new row in the INSERT's RETURNING: the view's
 * threads without it, from the post's counts as they were before the INSERT (its RETURNING sees
 * the new row, not what the triggers then change), less those listed after it (dated later:
 * normally none). Lookups by key and one index range, whatever the post's size.
 */
function threadsBeforeNewThread(dialect: SqlDialect, view: ThreadView, anchor: string) {
  const a = Prisma.raw(anchor);
  const after = Prisma.sql`c."createdAt" >= ${a}."createdAt" AND (c."createdAt" > ${a}."createdAt" OR c.id > ${a}.id)`;
  const heads = headsThread('c', view);
  const later = viewParts('c', view).map(
    (part) => Prisma.sql`(SELECT COUNT(*) FROM "Comment" AS c WHERE ${part} AND ${after} AND ${heads})`,
  );
  return Prisma.sql`(SELECT ${threadsInView(dialect, view, 'post')} FROM "Post" AS post WHERE post.id = ${view.postId}) - ${Prisma.join(later, ' - ', '', '')}`;
}

/** How many threads of the view are listed before comment `anchor` (an alias of the outer query). */
function threadsListedBefore(view: ThreadView, anchor: string) {
  const heads = headsThread('c', view);
  const counts = viewParts('c', view).map(
    (part) =>
      Prisma.sql`(SELECT COUNT(*) FROM "Comment" AS c WHERE ${part} AND ${listedBefore('c', anchor)} AND ${heads})`,
  );
  return Prisma.join(counts, ' + ', '', '');
}

/** The queries, for the engine `dialect` describes. */
export function commentQueries(dialect: SqlDialect) {
  const commentSql = {
    // The limit is written into the SQL, not bound: a bound LIMIT made the query itself slower
    // (docs/PERFORMANCE.md).
    approvedOfPost: (postId: number, limit: number | null = null) =>
      Prisma.sql`SELECT ${publicColumns} FROM "Comment" WHERE "postId" = ${postId} AND status = 'approved' ORDER BY "createdAt", id${limit === null ? Prisma.empty : Prisma.raw(` LIMIT ${Math.trunc(limit)}`)}`,
    /**
     * How many threads of the view come before the one holding this comment; no row if the comment
     * is not in the view. Its thread's head is its furthest ancestor reached through comments in
     * view, each listed before the one below it (with threading off, the comment itself).
     */
    threadsBefore: (view: ThreadView, commentId: number) =>
      Prisma.sql`WITH RECURSIVE chain (id, "parentId", "createdAt", depth) AS (
        SELECT x.id, x."parentId", x."createdAt", 0 FROM "Comment" AS x WHERE x.id = ${commentId} AND ${inView('x', view)}
        UNION ALL
        SELECT p.id, p."parentId", p."createdAt", chain.depth + 1 FROM chain JOIN "Comment" AS p ON p.id = chain."parentId"
        WHERE ${view.threaded ? Prisma.sql`TRUE` : Prisma.sql`FALSE`} AND ${inView('p', view)} AND ${listedBefore('p', 'chain')}
      ),
      head AS (SELECT id, "createdAt" FROM chain ORDER BY depth DESC LIMIT 1)
      SELECT ${threadsListedBefore(view, 'head')} AS "threadsBefore" FROM head`,
    /** A row if the comment or one of its ancestors is locked (no replies under it). */
    lockedAbove: (commentId: number) =>
      Prisma.sql`WITH RECURSIVE chain (id, "parentId", "repliesLocked", depth) AS (
        SELECT id, "parentId", "repliesLocked", 0 FROM "Comment" WHERE id = ${commentId}
        UNION ALL
        SELECT p.id, p."parentId", p."repliesLocked", chain.depth + 1 FROM chain JOIN "Comment" AS p ON p.id = chain."parentId"
        WHERE chain.depth < 10000
      )
      SELECT id FROM chain WHERE "repliesLocked" = TRUE LIMIT 1`,
    /** How many threads the view has, and how many approved comments the post has. */
    threadCounts: (view: ThreadView) =>
      Prisma.sql`SELECT ${threadsInView(dialect, view, 'post')} AS "threads", post."approvedComments" AS "approved"
      FROM "Post" AS post WHERE post.id = ${view.postId}`,
    /**
     * The comments of `limit` threads of the view after the first `offset`, oldest first: their
     * heads, and every comment in view below a comment of theirs and listed after it. The replies
     * are found by their parent's key; left to itself, SQLite reads each parent's replies by
     * post and status instead, every approved comment of the post once per comment of the page.
     */
    threadsOfView: (view: ThreadView, offset: number, limit: number) =>
      Prisma.sql`WITH RECURSIVE head AS (
        SELECT id, "createdAt" FROM (${threadHeads(view)}) AS heads ORDER BY "createdAt", id LIMIT ${limit} OFFSET ${offset}
      ),
      member (id, "createdAt") AS (
        SELECT id, "createdAt" FROM head
        UNION ALL
        SELECT r.id, r."createdAt" FROM member JOIN "Comment" AS r ${dialect.indexedBy('Comment_parentId_idx')} ON r."parentId" = member.id
        WHERE ${view.threaded ? Prisma.sql`TRUE` : Prisma.sql`FALSE`} AND ${inView('r', view)} AND ${listedBefore('member', 'r')}
      )
      SELECT ${publicColumns} FROM "Comment" WHERE id IN (SELECT id FROM member) ORDER BY "createdAt", id`,
    /**
     * The same words from the same sender on this post (trash aside), found through the index on
     * the post and the text's length and beginning (Comment_duplicates_idx), so it costs the same
     * on any post.
     */
    duplicateOf: (postId: number, text: string, sender: Sender) =>
      Prisma.sql`SELECT id FROM "Comment" WHERE "postId" = ${postId} AND length(text) = length(${dialect.typed(text, 'TEXT')})
      AND substr(text, 1, 64) = substr(${dialect.typed(text, 'TEXT')}, 1, 64) AND text = ${text} AND status <> 'trash'
      AND ${fromSender('"Comment"', sender)} LIMIT 1`,
    /** When the sender last commented, if since `since`: their network's comments lately, and their browser's. */
    latestFrom: (sender: Sender, since: Date) => {
      const parts = [
        ...(sender.network === null
          ? []
          : [
              Prisma.sql`SELECT "createdAt" FROM "Comment" WHERE "clientNetwork" = ${sender.network} AND "createdAt" >= ${since}`,
            ]),
        ...(sender.ownIds.length === 0
          ? []
          : [
              Prisma.sql`SELECT "createdAt" FROM "Comment" WHERE id IN (${Prisma.join([...sender.ownIds])}) AND "createdAt" >= ${since}`,
            ]),
      ];
      if (parts.length === 0) return Prisma.sql`SELECT "createdAt" FROM "Comment" WHERE FALSE`;
      return Prisma.sql`SELECT "createdAt" FROM (${Prisma.join(parts, ' UNION ALL ', '', '')}) AS recent ORDER BY "createdAt" DESC LIMIT 1`;
    },
    /** Whether this name and email have an approved comment that this sender made (the "known" rule). */
    approvedFrom: (authorEmail: string, authorName: string, sender: Sender) =>
      Prisma.sql`SELECT id FROM "Comment" WHERE "authorEmail" = ${authorEmail} AND "authorName" = ${authorName}
      AND status = 'approved' AND ${fromSender('"Comment"', sender)} LIMIT 1`,
    // Dates go in as Date values, which the adapter writes in the same form as Prisma's own
    // queries; both are set here, as Prisma's @default(now()) and @updatedAt would. The post's
    // counts follow by trigger. A comment that heads its own thread also gets the number of threads
    // listed before it in its author's view, in the same statement (a query of its own would cost
    // a comment a sixth more). Nothing here grows with the post.
    insertUnlessRepeated: (
      comment: NewCommentRecord,
      now: Date,
      { sender, floodSince }: { sender: Sender; floodSince: Date | null },
      view: ThreadView,
    ) => {
      const { postId, parentId, authorName, authorEmail, authorUrl, text, textHtml, status } = comment;
      const { ipAddress, clientNetwork, userAgent, statusNote, wantsReplies, spamScore, spamReasons } = comment;
      const notFlooding = floodSince
        ? Prisma.sql`AND NOT EXISTS (${commentSql.latestFrom(sender, floodSince)})`
        : Prisma.empty;
      return Prisma.sql`INSERT INTO "Comment" ("postId", "parentId", "authorName", "authorEmail", "authorUrl", text, "textHtml", status, "ipAddress", "clientNetwork", "userAgent", "arrivalNote", "wantsReplies", "spamScore", "spamReasons", "createdAt", "updatedAt")
      SELECT ${Prisma.join([
        dialect.typed(postId, 'INTEGER'),
        dialect.typed(parentId, 'INTEGER'),
        ...[authorName, authorEmail, authorUrl, text, textHtml, status].map((value) => dialect.typed(value, 'TEXT')),
        ...[ipAddress, clientNetwork, userAgent, statusNote].map((value) => dialect.typed(value, 'TEXT')),
        dialect.typed(wantsReplies, 'BOOLEAN'),
        dialect.typed(spamScore, 'DOUBLE PRECISION'),
        dialect.typed(spamReasons, 'TEXT'),
        dialect.typed(now, 'TIMESTAMP(3)'),
        dialect.typed(now, 'TIMESTAMP(3)'),
      ])}
      WHERE NOT EXISTS (${commentSql.duplicateOf(postId, text, sender)}) ${notFlooding}
      RETURNING ${publicColumns}, CASE WHEN ${view.threaded ? Prisma.sql`"parentId" IS NULL` : Prisma.sql`TRUE`} THEN ${threadsBeforeNewThread(dialect, view, '"Comment"')} END AS "threadsBefore"`;
    },
  };
  return commentSql;
}
