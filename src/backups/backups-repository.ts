import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../generated/prisma/client';

/**
 * A short-lived, read-only connection to a database file: it never takes the write lock, so the
 * server's writes go on while it reads (WAL), and it cannot change the file it reads.
 */
async function withReadOnlyDatabase<T>(file: string, work: (db: PrismaClient) => Promise<T>): Promise<T> {
  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file, readonly: true, fileMustExist: true }) });
  try {
    return await work(db);
  } finally {
    await db.$disconnect();
  }
}

/** Prisma access for backups: SQLite's own consistent copy, and its own check of a copy. */
export const backupsRepository = {
  /** Writes a consistent, compacted copy of `sourceFile` (one read transaction: a single moment in time) to `targetFile`. */
  async copyDatabase(sourceFile: string, targetFile: string): Promise<void> {
    await withReadOnlyDatabase(sourceFile, (db) => db.$executeRaw`VACUUM INTO ${targetFile}`);
  },

  /** SQLite's `PRAGMA integrity_check` of a database file: ["ok"], or the problems it found. */
  async integrityCheck(file: string): Promise<string[]> {
    return withReadOnlyDatabase(file, async (db) => {
      const rows = await db.$queryRawUnsafe<{ integrity_check: string }[]>('PRAGMA integrity_check');
      return rows.map((row) => row.integrity_check);
    });
  },
};
