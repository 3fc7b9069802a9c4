import type { Database } from '../db/database';

export type HealthRepository = ReturnType<typeof createHealthRepository>;

/** Prisma access for the health check. */
export function createHealthRepository(db: Database) {
  return {
    /** A real read from the database file (the migrations table), so a database that cannot be opened or read fails here. */
    async readMigrationCount(): Promise<number> {
      const rows = await db.$queryRaw<{ count: bigint }[]>`SELECT COUNT(*) AS count FROM _prisma_migrations`;
      return Number(rows[0]?.count ?? 0);
    },
  };
}
