import type { Database } from '../db/database';
import type { SqlDialect } from '../db/sql-dialect';
import { Prisma } from '../generated/prisma/client';
import type { CommentFilter } from './moderation-repository';

// The moderator's search (SqlDialect.commentSearch says what a match is). Raw SQL: Prisma cannot
// reach SQLite's FTS5 table, and its `contains` is a LIKE where % and _ would be wildcards.

/** At most this many matches (with no other filter) are read whole and sorted for a page. */
const sortedWhole = 1000;
/**
 * How many of the newest comments in the filter's scope a page reads and checks one by one before
 * it asks the index: enough for a page of a word that one comment in a hundred holds.
 */
const newestChecked = 2000;
/**
 * How many ids a search shorter than a trigram reads in one query. Between two, the server answers
 * others: SQLite's one connection would otherwise be held for the whole table (~40 ms at 100,000).
 */
const scannedIds = 5000;

const newestFirst = Prisma.sql`ORDER BY "createdAt" DESC, "id" DESC`;

interface Search {
  indexed: boolean;
  found: Prisma.Sql;
  holds: Prisma.Sql;
  rowHolds: Prisma.Sql;
  conditions: Prisma.Sql[];
  /** "Comment", read through the index that has the filter's comments newest first. */
  from: Prisma.Sql;
  /** Whether that index has them in that order (a post's comments of every status are sorted). */
  inOrder: boolean;
}

function searchOf(dialect: SqlDialect, { q = '', status, postId }: CommentFilter): Search {
  const conditions = [
    ...(status ? [Prisma.sql`"status" = ${status}`] : []),
    ...(postId ? [Prisma.sql`"postId" = ${postId}`] : []),
  ];
  // createdAt, then id: SQLite's rowid ends every index.
  const index = postId
    ? 'Comment_postId_status_createdAt_id_idx'
    : status
      ? 'Comment_status_createdAt_idx'
      : 'Comment_createdAt_id_idx';
  return {
    // No stored text holds a NUL (the forms' rules take them out), and PostgreSQL refuses one.
    // Stored text is NFC (the forms' rules): so is what is looked for.
    ...dialect.commentSearch(q.replaceAll('\0', '').normalize('NFC')),
    conditions,
    from: Prisma.sql`"Comment" ${dialect.indexedBy(index)}`,
    inOrder: !postId || !!status,
  };
}

/** How many comments match: with no other filter, counted in the index alone. */
async function countOf(db: Database, { found, holds, conditions, from }: Search): Promise<number> {
  const [row] = await db.$queryRaw<{ total: bigint | number }[]>(
    conditions.length > 0
      ? Prisma.sql`SELECT COUNT(*) AS "total" FROM ${from} WHERE ${Prisma.join([...conditions, holds], ' AND ')}`
      : Prisma.sql`SELECT COUNT(*) AS "total" FROM (${found}) AS "found"`,
  );
  return Number(row?.total ?? 0);
}

const idsOf = (rows: { id: number }[]) => rows.map((row) => row.id);

/** Every match read by key and sorted (CROSS JOIN: SQLite takes the index's matches first, as written). */
async function pageOfAll(db: Database, { found }: Search, skip: number, take: number) {
  return idsOf(
    await db.$queryRaw<{ id: number }[]>(Prisma.sql`SELECT "c"."id" FROM (${found}) AS "f" CROSS JOIN "Comment" AS "c"
      WHERE "c"."id" = "f"."id" ORDER BY "c"."createdAt" DESC, "c"."id" DESC LIMIT ${take} OFFSET ${skip}`),
  );
}

/** The page from the newest comments, each checked; null if they do not hold all of it. */
async function pageOfNewest(db: Database, search: Search, skip: number, take: number, total: number) {
  const { rowHolds, conditions, from } = search;
  const scope = conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
  const newest = Prisma.sql`SELECT "id", "createdAt", ${rowHolds} AS "hit" FROM ${from} ${scope} ${newestFirst} LIMIT ${newestChecked}`;
  const page = await db.$queryRaw<{ id: number }[]>(
    Prisma.sql`SELECT "id" FROM (${newest}) AS "newest" WHERE "hit" ${newestFirst} LIMIT ${take} OFFSET ${skip}`,
  );
  // Right if full, or if it ends with the last of the matches.
  return page.length === take || skip + page.length === total ? idsOf(page) : null;
}

/** Comments read newest first through the filter's index, each probed in the index's matches. */
async function pageProbed(db: Database, { holds, conditions, from }: Search, skip: number, take: number) {
  const where = Prisma.join([...conditions, holds], ' AND ');
  return idsOf(
    await db.$queryRaw<{ id: number }[]>(
      Prisma.sql`SELECT "id" FROM ${from} WHERE ${where} ${newestFirst} LIMIT ${take} OFFSET ${skip}`,
    ),
  );
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * How many comments match a search no index serves, counted a range of ids at a time with a turn
 * for other requests between two ranges; and, up to `sortedWhole` of them, which ones.
 */
async function countInRanges(db: Database, { rowHolds, conditions }: Search) {
  const [last] = await db.$queryRaw<{ id: number | null }[]>(Prisma.sql`SELECT MAX("id") AS "id" FROM "Comment"`);
  const ids: number[] = [];
  let total = 0;
  for (let high = Number(last?.id ?? 0); high > 0; high -= scannedIds) {
    const where = Prisma.join(
      [Prisma.sql`"id" > ${high - scannedIds}`, Prisma.sql`"id" <= ${high}`, ...conditions, rowHolds],
      ' AND ',
    );
    if (total <= sortedWhole) {
      const found = idsOf(await db.$queryRaw<{ id: number }[]>(Prisma.sql`SELECT "id" FROM "Comment" WHERE ${where}`));
      ids.push(...found);
      total += found.length;
    } else {
      const [row] = await db.$queryRaw<{ total: bigint | number }[]>(
        Prisma.sql`SELECT COUNT(*) AS "total" FROM "Comment" WHERE ${where}`,
      );
      total += Number(row?.total ?? 0);
    }
    await nextTurn();
  }
  return { total, ids: total <= sortedWhole ? ids : null };
}

/** A page of the given ids, newest first. */
async function pageOfIds(db: Database, ids: number[], skip: number, take: number) {
  if (ids.length === 0) return [];
  return idsOf(
    await db.$queryRaw<{ id: number }[]>(
      Prisma.sql`SELECT "id" FROM "Comment" WHERE "id" IN (${Prisma.join(ids)}) ${newestFirst} LIMIT ${take} OFFSET ${skip}`,
    ),
  );
}

/**
 * The ids of a page of the comments holding `filter.q`, newest first, and how many there are.
 * Counted first (in the index, or by ranges of ids for a search too short for one); then the page
 * the cheapest way the count allows: a few matches read whole and sorted; a word many comments
 * hold, from the newest comments; else through the index, probed (a common word's thousands of
 * matches would be slower to read and sort).
 */
export async function searchComments(
  db: Database,
  dialect: SqlDialect,
  filter: CommentFilter,
  skip: number,
  take: number,
): Promise<{ ids: number[]; total: number }> {
  const search = searchOf(dialect, filter);
  const ranges = search.indexed ? null : await countInRanges(db, search);
  const total = ranges?.total ?? (await countOf(db, search));
  if (total <= skip) return { ids: [], total };
  if (ranges?.ids) return { ids: await pageOfIds(db, ranges.ids, skip, take), total };
  if (search.indexed && search.conditions.length === 0 && total <= sortedWhole)
    return { ids: await pageOfAll(db, search, skip, take), total };
  const newest = search.inOrder ? await pageOfNewest(db, search, skip, take, total) : null;
  return { ids: newest ?? (await pageProbed(db, search, skip, take)), total };
}
