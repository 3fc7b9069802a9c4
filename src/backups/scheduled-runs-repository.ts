import type { Database } from '../db/database';

export type ScheduledRunsRepository = ReturnType<typeof createScheduledRunsRepository>;

/** Prisma access for work one server process does for all of them, on a schedule. */
export function createScheduledRunsRepository(db: Database) {
  return {
    /**
     * Claims the run of `name` due at `now` unless one was started less than `everyMs` before:
     * true for exactly one of the processes that ask at once (one atomic upsert on either engine).
     */
    async claim(name: string, now: Date, everyMs: number): Promise<boolean> {
      const startedBefore = new Date(now.getTime() - everyMs);
      const rows = await db.$queryRaw<{ name: string }[]>`
        INSERT INTO "ScheduledRun" ("name", "startedAt") VALUES (${name}, ${now})
        ON CONFLICT ("name") DO UPDATE SET "startedAt" = ${now} WHERE "ScheduledRun"."startedAt" <= ${startedBefore}
        RETURNING "name"`;
      return rows.length > 0;
    },
  };
}
