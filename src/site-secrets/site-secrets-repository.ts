import type { Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';

export type SiteSecretsRepository = ReturnType<typeof createSiteSecretsRepository>;

/** The SiteSecret table: one value per name, written once. */
export function createSiteSecretsRepository(db: Database) {
  return {
    /**
     * The value kept under `name`; `generate()`'s value, kept, if there is none yet. Two processes
     * starting together both end up with the one value that was written first.
     */
    async valueOf(name: string, generate: () => string): Promise<string> {
      try {
        const row = await db.siteSecret.upsert({
          where: { name },
          create: { name, value: generate() },
          update: {},
          select: { value: true },
        });
        return row.value;
      } catch (error) {
        // On PostgreSQL Prisma looks before it inserts: another process can insert in between.
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
        return (await db.siteSecret.findUniqueOrThrow({ where: { name }, select: { value: true } })).value;
      }
    },
  };
}
