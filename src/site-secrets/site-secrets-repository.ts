import type { Database } from '../db/database';

export type SiteSecretsRepository = ReturnType<typeof createSiteSecretsRepository>;

/** The SiteSecret table: one value per name, written once. */
export function createSiteSecretsRepository(db: Database) {
  return {
    /**
     * The value kept under `name`; `generate()`'s value, kept, if there is none yet. Two processes
     * starting together both end up with the one value that was written first.
     */
    async valueOf(name: string, generate: () => string): Promise<string> {
      const row = await db.siteSecret.upsert({
        where: { name },
        create: { name, value: generate() },
        update: {},
        select: { value: true },
      });
      return row.value;
    },
  };
}
