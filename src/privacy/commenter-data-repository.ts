import { dialectOf, type Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';

/** What is stored about one commenter, as their export lists it. */
export interface StoredCommenterData {
  comments: {
    id: number;
    post: { slug: string; title: string };
    parentId: number | null;
    status: string;
    authorName: string;
    authorEmail: string;
    authorUrl: string | null;
    text: string;
    ipAddress: string | null;
    userAgent: string | null;
    wantsReplies: boolean;
    createdAt: Date;
    updatedAt: Date;
    statusChanges: { fromStatus: string; toStatus: string; actor: string; createdAt: Date }[];
  }[];
  subscriptions: { post: { slug: string; title: string }; confirmedAt: Date | null; createdAt: Date }[];
  mail: { kind: string; subject: string | null; status: string; createdAt: Date; sentAt: Date | null }[];
}

/** What an erasure changed. */
export interface Erasure {
  /** The posts whose pages showed a changed comment. */
  postSlugs: string[];
  anonymized: number;
  deleted: number;
  /** Deleted with replies under them: kept as "deleted comment" placeholders. */
  keptAsPlaceholders: number;
  subscriptions: number;
}

export type CommenterDataRepository = ReturnType<typeof createCommenterDataRepository>;

/**
 * A commenter's data, found by their address (any case): their comments, reply subscriptions
 * (filed under the address's keyed hash) and the mail sent to them; and its erasure.
 */
export function createCommenterDataRepository(db: Database) {
  const dialect = dialectOf(db);

  /** The ids of the comments written under the address, in any case (ASCII). */
  async function commentIdsOf(email: string): Promise<number[]> {
    const rows = await db.$queryRaw<{ id: number }[]>(
      Prisma.sql`SELECT id FROM "Comment" WHERE lower("authorEmail") = ${email.toLowerCase()} ORDER BY id`,
    );
    return rows.map((row) => Number(row.id));
  }

  /** The ids of the address's reply subscriptions (their rows keep the address as it was typed). */
  async function subscriptionIdsOf(email: string): Promise<number[]> {
    const rows = await db.$queryRaw<{ id: number }[]>(
      Prisma.sql`SELECT id FROM "Subscription" WHERE lower(email) = ${email.toLowerCase()}`,
    );
    return rows.map((row) => Number(row.id));
  }

  /** Mail is about the commenter when it went to them, or told of one of their comments (its body quotes the address). */
  const mailAbout = (email: string, ids: readonly number[]) => ({
    OR: [
      { recipient: { equals: email } },
      { recipient: { equals: email.toLowerCase() } },
      { commentId: { in: [...ids] } },
    ],
  });

  type Transaction = Parameters<Parameters<typeof db.$transaction>[0]>[0];

  /** On PostgreSQL, the comments' posts are locked first, in id order, as bulk status changes do. */
  async function lockPosts(tx: Transaction, ids: readonly number[]) {
    if (dialect.engine !== 'postgres' || ids.length === 0) return;
    await tx.$executeRaw`SELECT 1 FROM "Post" WHERE id IN (SELECT "postId" FROM "Comment" WHERE id IN (${Prisma.join([
      ...ids,
    ])})) ORDER BY id FOR NO KEY UPDATE`;
  }

  /** A line in each comment's history: what was done, by whom, without the erased data. */
  async function recordIn(
    tx: Transaction,
    comments: { id: number; status: string }[],
    change: { actor: string; note: string; at: Date },
  ) {
    await tx.commentStatusChange.createMany({
      data: comments.map(({ id, status }) => ({
        commentId: id,
        fromStatus: status,
        toStatus: status,
        actor: change.actor,
        note: change.note,
        createdAt: change.at,
      })),
    });
  }

  async function slugsOf(ids: readonly number[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const posts = await db.post.findMany({
      where: { comments: { some: { id: { in: [...ids] }, status: 'approved' } } },
      select: { slug: true },
    });
    return posts.map((post) => post.slug);
  }

  return {
    async dataOf(email: string): Promise<StoredCommenterData> {
      const ids = await commentIdsOf(email);
      const [comments, subscriptions, mail] = await Promise.all([
        db.comment.findMany({
          where: { id: { in: ids } },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          select: {
            id: true,
            post: { select: { slug: true, title: true } },
            parentId: true,
            status: true,
            authorName: true,
            authorEmail: true,
            authorUrl: true,
            text: true,
            ipAddress: true,
            userAgent: true,
            wantsReplies: true,
            createdAt: true,
            updatedAt: true,
            statusChanges: {
              orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
              select: { fromStatus: true, toStatus: true, actor: true, createdAt: true },
            },
          },
        }),
        db.subscription.findMany({
          where: { id: { in: await subscriptionIdsOf(email) } },
          orderBy: { createdAt: 'asc' },
          select: { post: { select: { slug: true, title: true } }, confirmedAt: true, createdAt: true },
        }),
        db.delivery.findMany({
          where: { channel: 'mail', OR: [{ recipient: email }, { recipient: email.toLowerCase() }] },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          select: { kind: true, subject: true, status: true, createdAt: true, sentAt: true },
        }),
      ]);
      return { comments, subscriptions, mail };
    },

    /**
     * Every comment under the address keeps its place and words, under the name "Anonymous", with
     * no address, website, IP or user agent; each records the change in its history (without the
     * erased data). Subscriptions and the mail about them go.
     */
    async anonymize(email: string, change: { actor: string; note: string; at: Date }): Promise<Erasure> {
      const ids = await commentIdsOf(email);
      const subscriptionIds = await subscriptionIdsOf(email);
      const postSlugs = await slugsOf(ids);
      const subscriptions = await db.$transaction(async (tx) => {
        await lockPosts(tx, ids);
        const statuses = await tx.comment.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
        await tx.comment.updateMany({
          where: { id: { in: ids } },
          data: {
            authorName: 'Anonymous',
            authorEmail: '',
            authorUrl: null,
            ipAddress: null,
            userAgent: null,
            clientNetwork: null,
            wantsReplies: false,
          },
        });
        await recordIn(tx, statuses, change);
        await tx.delivery.deleteMany({ where: mailAbout(email, ids) });
        return (await tx.subscription.deleteMany({ where: { id: { in: subscriptionIds } } })).count;
      });
      return { postSlugs, anonymized: ids.length, deleted: 0, keptAsPlaceholders: 0, subscriptions };
    },

    /**
     * Deletes every comment under the address. One with replies under it stays as a placeholder
     * (no name, words, address, website, IP or user agent), so the replies keep their place; a
     * placeholder left with no replies goes too. Subscriptions and the mail about them go.
     */
    async deleteAll(email: string, change: { actor: string; note: string; at: Date }): Promise<Erasure> {
      const ids = await commentIdsOf(email);
      const subscriptionIds = await subscriptionIdsOf(email);
      const postSlugs = await slugsOf(ids);
      const idList = ids.length > 0 ? Prisma.join(ids) : Prisma.sql`NULL`;
      const result = await db.$transaction(async (tx) => {
        await lockPosts(tx, ids);
        await tx.comment.updateMany({
          where: { id: { in: ids } },
          data: {
            erased: true,
            authorName: 'Anonymous',
            authorEmail: '',
            authorUrl: null,
            text: '',
            textHtml: '',
            ipAddress: null,
            userAgent: null,
            clientNetwork: null,
            wantsReplies: false,
            pinnedAt: null,
          },
        });
        // Leaves first: a placeholder whose only replies were the commenter's own goes with them.
        let deleted = 0;
        for (;;) {
          const removed = await tx.$executeRaw(
            Prisma.sql`DELETE FROM "Comment" WHERE id IN (${idList}) AND erased = TRUE
              AND NOT EXISTS (SELECT 1 FROM "Comment" AS reply WHERE reply."parentId" = "Comment".id)`,
          );
          if (removed === 0) break;
          deleted += removed;
        }
        const kept = await tx.comment.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
        await recordIn(tx, kept, change);
        await tx.delivery.deleteMany({ where: mailAbout(email, ids) });
        const subscriptions = (await tx.subscription.deleteMany({ where: { id: { in: subscriptionIds } } })).count;
        return { deleted, kept: kept.length, subscriptions };
      });
      return {
        postSlugs,
        anonymized: 0,
        deleted: result.deleted,
        keptAsPlaceholders: result.kept,
        subscriptions: result.subscriptions,
      };
    },

    /** Removes IP addresses, user agents and networks from comments made before `cutoff`; how many changed. */
    async removeAddressesBefore(cutoff: Date): Promise<number> {
      return db.$executeRaw`UPDATE "Comment" SET "ipAddress" = NULL, "userAgent" = NULL, "clientNetwork" = NULL
        WHERE "createdAt" < ${cutoff} AND ("ipAddress" IS NOT NULL OR "userAgent" IS NOT NULL OR "clientNetwork" IS NOT NULL)`;
    },

    /** Stores a commenter's own request and queues the mail with its link, in one transaction; the mail is written for the request's id. */
    async addErasureRequest(
      email: string,
      now: Date,
      mailFor: (requestId: number) => { recipient: string; subject: string; body: string; html: string },
    ): Promise<void> {
      await db.$transaction(async (tx) => {
        const request = await tx.erasureRequest.create({
          data: { email: email.toLowerCase(), createdAt: now },
          select: { id: true },
        });
        await tx.delivery.create({
          data: { channel: 'mail', kind: 'erasure', ...mailFor(request.id), nextAttemptAt: now, createdAt: now },
        });
      });
    },

    /** Whether a request for the address was made since `since` (at most one mail a day). */
    async hasErasureRequestSince(email: string, since: Date): Promise<boolean> {
      const found = await db.erasureRequest.findFirst({
        where: { email: email.toLowerCase(), createdAt: { gte: since } },
        select: { id: true },
      });
      return found !== null;
    },

    async findErasureRequest(id: number): Promise<{ id: number; email: string; createdAt: Date } | null> {
      return db.erasureRequest.findUnique({ where: { id } });
    },

    /** Removes the address's requests (once one is used) and those made before `before` (expired). */
    async removeErasureRequests({ email, before }: { email?: string; before?: Date }): Promise<void> {
      await db.erasureRequest.deleteMany({
        where: {
          OR: [...(email ? [{ email: email.toLowerCase() }] : []), ...(before ? [{ createdAt: { lt: before } }] : [])],
        },
      });
    },
  };
}
