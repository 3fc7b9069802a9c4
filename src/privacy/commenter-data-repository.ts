import {
  asTraining,
  trainingFields,
  type TrainingComment,
  type TransactionWork,
} from '../spam-filter/spam-model-repository';
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
  /** The moderator's block on the address, if any (kept after an erasure: it guards the site). */
  blocks: { note: string | null; createdAt: Date }[];
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

/** What an erased comment keeps of its author: nothing but the name "Anonymous". */
const withoutTheAuthor = {
  authorName: 'Anonymous',
  authorEmail: '',
  authorUrl: null,
  ipAddress: null,
  userAgent: null,
  clientNetwork: null,
  wantsReplies: false,
  // The spam filter's reasons may name the author's name and website.
  spamReasons: null,
};

export type CommenterDataRepository = ReturnType<typeof createCommenterDataRepository>;

/**
 * A commenter's data, found by their address (any case): their comments, reply subscriptions
 * (filed under the address's keyed hash) and the mail sent to them; and its erasure.
 */
export function createCommenterDataRepository(db: Database) {
  const dialect = dialectOf(db);

  /** The ids of the comments written under the address (stored lower-cased; asked in any case). */
  async function commentIdsOf(email: string): Promise<number[]> {
    const rows = await db.$queryRaw<{ id: number }[]>(
      Prisma.sql`SELECT id FROM "Comment" WHERE "authorEmail" = ${email.toLowerCase()} ORDER BY id`,
    );
    return rows.map((row) => Number(row.id));
  }

  /** The ids of the address's reply subscriptions (their address is the comment's, lower-cased). */
  async function subscriptionIdsOf(email: string): Promise<number[]> {
    const rows = await db.$queryRaw<{ id: number }[]>(
      Prisma.sql`SELECT id FROM "Subscription" WHERE email = ${email.toLowerCase()}`,
    );
    return rows.map((row) => Number(row.id));
  }

  /** Removes the mail kept that names the address in its text (the hourly digest lists addresses). */
  async function removeMailNaming(tx: Transaction, email: string) {
    const pattern = `%${email.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    await tx.$executeRaw`DELETE FROM "Delivery" WHERE lower(body) LIKE ${pattern} ESCAPE '\\'`;
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
      const [comments, subscriptions, mail, blocks] = await Promise.all([
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
        db.block.findMany({
          where: { kind: 'email', value: email.toLowerCase() },
          select: { note: true, createdAt: true },
        }),
      ]);
      return { comments, subscriptions, mail, blocks };
    },

    /** The address's comments the spam filter learned from, as it read them (to unlearn on erasure). */
    async learnedCommentsOf(email: string): Promise<TrainingComment[]> {
      const rows = await db.comment.findMany({
        where: { authorEmail: email.toLowerCase(), spamLabel: { not: null } },
        select: trainingFields,
      });
      return rows.map(asTraining);
    },

    /**
     * Every comment under the address keeps its place and words, under the name "Anonymous", with
     * no address, website, IP or user agent; each records the change in its history (without the
     * erased data). Subscriptions and the mail about them go.
     */
    async anonymize(
      email: string,
      change: { actor: string; note: string; at: Date },
      alsoWrite?: TransactionWork,
    ): Promise<Erasure> {
      const ids = await commentIdsOf(email);
      const subscriptionIds = await subscriptionIdsOf(email);
      const postSlugs = await slugsOf(ids);
      const subscriptions = await db.$transaction(async (tx) => {
        await lockPosts(tx, ids);
        await alsoWrite?.(tx);
        const statuses = await tx.comment.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
        await tx.comment.updateMany({
          where: { id: { in: ids } },
          data: withoutTheAuthor,
        });
        await recordIn(tx, statuses, change);
        await tx.delivery.deleteMany({ where: mailAbout(email, ids) });
        await removeMailNaming(tx, email);
        return (await tx.subscription.deleteMany({ where: { id: { in: subscriptionIds } } })).count;
      });
      return { postSlugs, anonymized: ids.length, deleted: 0, keptAsPlaceholders: 0, subscriptions };
    },

    /**
     * Deletes every comment under the address. One with replies under it stays as a placeholder
     * (no name, words, address, website, IP or user agent), so the replies keep their place; a
     * placeholder left with no replies goes too. Subscriptions and the mail about them go.
     */
    async deleteAll(
      email: string,
      change: { actor: string; note: string; at: Date },
      alsoWrite?: TransactionWork,
    ): Promise<Erasure> {
      const ids = await commentIdsOf(email);
      const subscriptionIds = await subscriptionIdsOf(email);
      const postSlugs = await slugsOf(ids);
      const idList = ids.length > 0 ? Prisma.join(ids) : Prisma.sql`NULL`;
      const result = await db.$transaction(async (tx) => {
        await lockPosts(tx, ids);
        await alsoWrite?.(tx);
        await tx.comment.updateMany({
          where: { id: { in: ids } },
          // Its notes and score told of its words: they go with them.
          data: {
            ...withoutTheAuthor,
            erased: true,
            text: '',
            textHtml: '',
            pinnedAt: null,
            spamLabel: null,
            spamScore: null,
            arrivalNote: null,
          },
        });
        await tx.commentStatusChange.updateMany({ where: { commentId: { in: ids } }, data: { note: null } });
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
        await removeMailNaming(tx, email);
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

    /**
     * Removes IP addresses, user agents and networks from comments made before `cutoff`, and the
     * mail and webhook calls done with before it (moderator mail and webhooks quote the IP); how
     * many comments changed.
     */
    async removeAddressesBefore(cutoff: Date): Promise<number> {
      await db.delivery.deleteMany({ where: { status: { not: 'queued' }, createdAt: { lt: cutoff } } });
      return db.$executeRaw`UPDATE "Comment" SET "ipAddress" = NULL, "userAgent" = NULL, "clientNetwork" = NULL
        WHERE "createdAt" < ${cutoff} AND ("ipAddress" IS NOT NULL OR "userAgent" IS NOT NULL OR "clientNetwork" IS NOT NULL)`;
    },

    /** Stores a commenter's own request, as asked: whether anything is kept under the address is the sender's to find out. */
    async addErasureRequest(email: string, now: Date): Promise<void> {
      await db.erasureRequest.create({ data: { email: email.trim().toLowerCase(), createdAt: now } });
    },

    /** Requests the sender has not looked at yet, oldest first. */
    async pendingErasureRequests(limit: number): Promise<{ id: number; email: string }[]> {
      return db.erasureRequest.findMany({
        where: { mailedAt: null },
        orderBy: { id: 'asc' },
        take: limit,
        select: { id: true, email: true },
      });
    },

    /** How many comments are stored under the address. */
    async commentCountOf(email: string): Promise<number> {
      return (await commentIdsOf(email)).length;
    },

    /** Whether anything is stored under the address: a comment or a subscription (through their lower-case indexes). */
    async hasDataUnder(email: string): Promise<boolean> {
      const [comments, subscriptions] = await Promise.all([commentIdsOf(email), subscriptionIdsOf(email)]);
      return comments.length > 0 || subscriptions.length > 0;
    },

    /** Whether a link for the address was mailed since `since` (at most one a day). */
    async erasureMailedSince(email: string, since: Date): Promise<boolean> {
      const found = await db.erasureRequest.findFirst({
        where: { email: email.toLowerCase(), mailedAt: { gte: since } },
        select: { id: true },
      });
      return found !== null;
    },

    /**
     * Marks the request mailed and queues the mail with its link, in one transaction; false when
     * another server took it first.
     */
    async mailErasureRequest(
      id: number,
      now: Date,
      mail: { recipient: string; subject: string; body: string; html: string },
    ): Promise<boolean> {
      return db.$transaction(async (tx) => {
        const claimed = await tx.erasureRequest.updateMany({ where: { id, mailedAt: null }, data: { mailedAt: now } });
        if (claimed.count === 0) return false;
        await tx.delivery.create({
          data: { channel: 'mail', kind: 'erasure', ...mail, nextAttemptAt: now, createdAt: now },
        });
        return true;
      });
    },

    /** A mailed request, by the id its link names. */
    async findErasureRequest(id: number): Promise<{ id: number; email: string; createdAt: Date } | null> {
      return db.erasureRequest.findFirst({
        where: { id, mailedAt: { not: null } },
        select: { id: true, email: true, createdAt: true },
      });
    },

    async removeErasureRequest(id: number): Promise<void> {
      await db.erasureRequest.deleteMany({ where: { id } });
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
