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
  typed(value: unknown, sqlType: 'INTEGER' | 'TEXT' | 'TIMESTAMP(3)' | 'BOOLEAN'): Prisma.Sql;
  /** LIKE with case aside: SQLite's LIKE already is (for ASCII); PostgreSQL's ILIKE. */
  likeAnyCase: Prisma.Sql;
}

export const sqliteDialect: SqlDialect = {
  engine: 'sqlite',
  indexedBy: (index) => Prisma.raw(`INDEXED BY "${index}"`),
  typed: (value) => Prisma.sql`${value}`,
  likeAnyCase: Prisma.raw('LIKE'),
};

export const postgresDialect: SqlDialect = {
  engine: 'postgres',
  indexedBy: () => Prisma.empty,
  typed: (value, sqlType) => Prisma.sql`CAST(${value} AS ${Prisma.raw(sqlType)})`,
  likeAnyCase: Prisma.raw('ILIKE'),
};
