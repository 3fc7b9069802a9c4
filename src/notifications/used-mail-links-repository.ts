import type { Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';

export type UsedMailLinksRepository = ReturnType<typeof createUsedMailLinksRepository>;

/** The moderator mails whose action links were used: each mail's links act once. */
export function createUsedMailLinksRepository(db: Database) {
  return {
    async isUsed(mailId: string): Promise<boolean> {
      return (await db.usedMailLink.findUnique({ where: { id: mailId } })) !== null;
    },

    /** Records the use; false when the mail's links were used already (by anyone, on any server). */
    async use(mailId: string, now: Date): Promise<boolean> {
      try {
        await db.usedMailLink.create({ data: { id: mailId, usedAt: now } });
        return true;
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return false;
        throw error;
      }
    },
  };
}
