import { Prisma } from '../generated/prisma/client';

/**
 * What the raw SQL needs to know of the engine it runs on. The queries are written once, in SQL
 * both engines read alike (quoted names, TRUE and FALSE, an alias on every derived table); the
 * few places where the engines differ ask the dialect.
 */
export interface SqlDialect {
  engine: 'sqlite' | 'postgres';
  /**
   * A hint naming the index a table is read through: SQLite's `INDEXED BY`, where its planner
   * would otherwise read a whole post's comments; nothing on PostgreSQL, whose planner picks it.
   */
  indexedBy(index: string): Prisma.Sql;
  /**
   * A bound value of the given SQL type. PostgreSQL cannot tell a parameter's type from an
   * INSERT … SELECT or a function call and needs it said; SQLite takes values as they come (and
   * a cast to TIMESTAMP there would turn a date into a number).
   */
  typed(value: unknown, sqlType: 'INTEGER' | 'DOUBLE PRECISION' | 'TEXT' | 'TIMESTAMP(3)' | 'BOOLEAN'): Prisma.Sql;
  /** LIKE with case aside: SQLite's LIKE already is (for ASCII); PostgreSQL's ILIKE. */
  likeAnyCase: Prisma.Sql;
  /**
   * The comments whose author name, email, website or text holds `text` (% and _ as typed, case
   * aside as LIKE or ILIKE sees it): the ids of all of them, found through the engine's trigram
   * index (a subquery); the same as a condition on "Comment" (through the index where the engine
   * can); and as a condition on a row's own columns, for rows read anyway. All three agree on
   * every comment (see the comment_search migrations). `indexed` is false for a search shorter
   * than a trigram, which no index serves on either engine: then every comment is read.
   */
  commentSearch(text: string): { found: Prisma.Sql; holds: Prisma.Sql; rowHolds: Prisma.Sql; indexed: boolean };
}

const searchedColumns = ['authorName', 'authorEmail', 'authorUrl', 'text'];

/** `text` in any of the searched columns, through `like` (LIKE or ILIKE) with its wildcards escaped. */
function likeInSearchedColumns(like: string, text: string): Prisma.Sql {
  const pattern = `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  const holds = searchedColumns.map(
    (column) => Prisma.sql`${Prisma.raw(`"${column}" ${like}`)} ${pattern} ESCAPE '\\'`,
  );
  return Prisma.sql`(${Prisma.join(holds, ' OR ')})`;
}

/** The most characters of a search SQLite's trigram index is asked for (see commentSearch). */
const indexedSearchLength = 16;

/** Trigrams hold three characters (code points); a shorter search has none to look up. */
const hasTrigrams = (text: string) => [...text].length >= 3;

const byRows = (rowHolds: Prisma.Sql, indexed: boolean) => ({
  found: Prisma.sql`SELECT "id" FROM "Comment" WHERE ${rowHolds}`,
  holds: rowHolds,
  rowHolds,
  indexed,
});

export const sqliteDialect: SqlDialect = {
  engine: 'sqlite',
  indexedBy: (index) => Prisma.raw(`INDEXED BY "${index}"`),
  typed: (value) => Prisma.sql`${value}`,
  likeAnyCase: Prisma.raw('LIKE'),
  commentSearch(text) {
    const rowHolds = likeInSearchedColumns('LIKE', text);
    if (!hasTrigrams(text)) return byRows(rowHolds, false);
    // The index holds each column as lower() makes it; quoted, the text is one FTS5 string. A
    // phrase costs FTS5 its length times the matching text's: a long search asks the index for
    // its first characters only, and LIKE checks the whole on what the index found.
    const probe = [...text].slice(0, indexedSearchLength).join('');
    const inIndex = Prisma.sql`SELECT rowid AS "id" FROM "CommentSearch" WHERE "CommentSearch" MATCH ('"' || replace(lower(${probe}), '"', '""') || '"')`;
    if (probe === text) return { found: inIndex, holds: Prisma.sql`"id" IN (${inIndex})`, rowHolds, indexed: true };
    const holds = Prisma.sql`("id" IN (${inIndex}) AND ${rowHolds})`;
    return { found: Prisma.sql`SELECT "id" FROM "Comment" WHERE ${holds}`, holds, rowHolds, indexed: true };
  },
};

export const postgresDialect: SqlDialect = {
  engine: 'postgres',
  indexedBy: () => Prisma.empty,
  typed: (value, sqlType) => Prisma.sql`CAST(${value} AS ${Prisma.raw(sqlType)})`,
  likeAnyCase: Prisma.raw('ILIKE'),
  // pg_trgm's index serves ILIKE itself (for three characters or more; a shorter one is a scan).
  commentSearch: (text) => byRows(likeInSearchedColumns('ILIKE', text), hasTrigrams(text)),
};
