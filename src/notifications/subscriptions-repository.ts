import type { Database } from '../db/database';

export interface SubscriptionOfPost {
  id: number;
  email: string;
  emailKey: string;
  confirmedAt: Date | null;
  post: { id: number; slug: string; title: string };
}

export type SubscriptionsRepository = ReturnType<typeof createSubscriptionsRepository>;

const withPost = { post: { select: { id: true, slug: true, title: true } } } as const;

/** Readers' subscriptions to new comments on a post (double opt-in). */
export function createSubscriptionsRepository(db: Database) {
  return {
    async findById(id: number): Promise<SubscriptionOfPost | null> {
      return db.subscription.findUnique({
        where: { id },
        select: { id: true, email: true, emailKey: true, confirmedAt: true, ...withPost },
      });
    },

    /** Every subscription of one address (by its key), confirmed or not, newest post first. */
    async listForKey(emailKey: string): Promise<SubscriptionOfPost[]> {
      return db.subscription.findMany({
        where: { emailKey },
        orderBy: { id: 'desc' },
        select: { id: true, email: true, emailKey: true, confirmedAt: true, ...withPost },
      });
    },

    /** The confirmed subscribers of a post. */
    async confirmedForPost(postId: number): Promise<{ id: number; email: string; emailKey: string }[]> {
      return db.subscription.findMany({
        where: { postId, confirmedAt: { not: null } },
        orderBy: { id: 'asc' },
        select: { id: true, email: true, emailKey: true },
      });
    },

    async confirm(id: number, now: Date): Promise<void> {
      await db.subscription.updateMany({ where: { id, confirmedAt: null }, data: { confirmedAt: now } });
    },

    /** Ends a subscription; false if there was none by that id. */
    async remove(id: number): Promise<boolean> {
      return (await db.subscription.deleteMany({ where: { id } })).count > 0;
    },

    /** Ends every subscription of an address; how many there were. */
    async removeAllForKey(emailKey: string): Promise<number> {
      return (await db.subscription.deleteMany({ where: { emailKey } })).count;
    },
  };
}
