import type { Database } from '../db/database';

export interface OutboxEvent {
  id: number;
  kind: string;
  commentId: number;
}

/** A delivery to queue: a mail (subject, text, HTML) or a webhook call (its JSON body). */
export type DeliveryDraft = {
  channel: 'mail' | 'webhook';
  kind: string;
  recipient: string;
  subject?: string | null;
  body: string;
  html?: string | null;
  /** A mail's extra headers, as a JSON object. */
  headers?: string | null;
  commentId?: number | null;
  /** A reply mail's subscription (the mail is written when it is sent). */
  subscriptionId?: number | null;
};

/** A reader asked (by ticking the box) to hear of new comments on a post. */
export interface SubscriptionAsked {
  postId: number;
  email: string;
  emailKey: string;
  /** The confirmation mail, for the subscription's id. */
  confirmationMail(subscriptionId: number): DeliveryDraft;
}

export type DeliveryStatus = 'queued' | 'sent' | 'failed' | 'cancelled';
export const deliveryStatuses: readonly DeliveryStatus[] = ['queued', 'sent', 'failed', 'cancelled'];

/** Rows per INSERT when queuing deliveries: a post with thousands of subscribers goes in slices. */
const insertSlice = 500;

export interface Delivery extends Required<DeliveryDraft> {
  id: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;

/** The ScheduledRun row whose time is the end of the last moderator digest's window. */
const digestRun = 'moderator-digest';

/** The outbox: events written by the database's triggers, and the deliveries made of them. */
export function createOutboxRepository(db: Database) {
  const asDelivery = (row: Awaited<ReturnType<typeof db.delivery.findFirstOrThrow>>): Delivery => ({
    ...row,
    channel: row.channel as Delivery['channel'],
    status: row.status as DeliveryStatus,
  });

  return {
    /** The oldest events not yet turned into deliveries. */
    async peekEvents(limit: number): Promise<OutboxEvent[]> {
      return db.outboxEvent.findMany({ orderBy: { id: 'asc' }, take: limit });
    },

    /** Deletes every waiting event: nothing is set up to hear of them. */
    async dropEvents(): Promise<void> {
      await db.outboxEvent.deleteMany({});
    },

    /** Of these comments, the ones whose authors asked to hear of follow-up comments. */
    async wantingReplies(commentIds: readonly number[]): Promise<Set<number>> {
      const rows = await db.comment.findMany({
        where: { id: { in: [...commentIds] }, wantsReplies: true },
        select: { id: true },
      });
      return new Set(rows.map((row) => row.id));
    },

    /** The addresses already sent a mail of this kind about this comment (so none gets it twice). */
    async recipientsOf(kind: string, commentId: number): Promise<Set<string>> {
      const rows = await db.delivery.findMany({ where: { kind, commentId }, select: { recipient: true } });
      return new Set(rows.map((row) => row.recipient));
    },

    /**
     * Deletes the events and queues their deliveries in one transaction (the events another server
     * took meanwhile make it fail, to be looked at again). Each subscription asked for is added,
     * and its confirmation mail queued unless the subscription is confirmed or had one in the last
     * day: at most one a day per address and post, however often the box is ticked.
     */
    async replaceEvents(
      eventIds: readonly number[],
      drafts: readonly DeliveryDraft[],
      subscriptionsAsked: readonly SubscriptionAsked[],
      now: Date,
    ): Promise<number> {
      return db.$transaction(async (tx) => {
        const taken = await tx.outboxEvent.deleteMany({ where: { id: { in: [...eventIds] } } });
        if (taken.count !== eventIds.length) {
          // Another server took some: keep only what is still ours. (Rare: both looked at once.)
          throw new EventsTakenElsewhere();
        }
        const queued: DeliveryDraft[] = [...drafts];
        const dayBefore = new Date(now.getTime() - 24 * 3_600_000);
        for (const asked of subscriptionsAsked) {
          await tx.$executeRaw`INSERT INTO "Subscription" ("postId", "email", "emailKey", "createdAt")
            VALUES (${asked.postId}, ${asked.email}, ${asked.emailKey}, ${now}) ON CONFLICT ("postId", "emailKey") DO NOTHING`;
          const due = await tx.$queryRaw<{ id: number | bigint }[]>`UPDATE "Subscription"
            SET "confirmationSentAt" = ${now}, "email" = ${asked.email}
            WHERE "postId" = ${asked.postId} AND "emailKey" = ${asked.emailKey} AND "confirmedAt" IS NULL
              AND ("confirmationSentAt" IS NULL OR "confirmationSentAt" <= ${dayBefore})
            RETURNING "id"`;
          if (due[0]) queued.push(asked.confirmationMail(Number(due[0].id)));
        }
        for (let start = 0; start < queued.length; start += insertSlice)
          await tx.delivery.createMany({
            data: queued
              .slice(start, start + insertSlice)
              .map((draft) => ({ ...draft, nextAttemptAt: now, createdAt: now })),
          });
        return queued.length;
      });
    },

    /**
     * Claims up to `limit` queued deliveries that are due, for `claimMs`: no other server sends them
     * meanwhile (the UPDATE checks the claim again on the row it changes, so of two servers claiming
     * at once one gets each row). Counts the attempt.
     */
    async claimDue(now: Date, limit: number, claimMs: number): Promise<Delivery[]> {
      const until = new Date(now.getTime() + claimMs);
      const claimed = await db.$queryRaw<{ id: number }[]>`
        UPDATE "Delivery" SET "claimedUntil" = ${until}, "attempts" = "attempts" + 1
        WHERE "id" IN (
          SELECT "id" FROM "Delivery"
          WHERE "status" = 'queued' AND "nextAttemptAt" <= ${now} AND ("claimedUntil" IS NULL OR "claimedUntil" <= ${now})
          ORDER BY "nextAttemptAt", "id" LIMIT ${limit}
        ) AND "status" = 'queued' AND ("claimedUntil" IS NULL OR "claimedUntil" <= ${now})
        RETURNING "id"`;
      if (claimed.length === 0) return [];
      const rows = await db.delivery.findMany({
        where: { id: { in: claimed.map((row) => Number(row.id)) } },
        orderBy: { id: 'asc' },
      });
      return rows.map(asDelivery);
    },

    async markSent(id: number, now: Date): Promise<void> {
      await db.delivery.update({ where: { id }, data: { status: 'sent', sentAt: now, claimedUntil: null } });
    },

    /**
     * Deletes what is kept no longer: deliveries done (sent or cancelled) before `doneBefore`, failed
     * ones before `failedBefore` (their text holds addresses and comments), the records of used mail
     * links past their links' lifetime, and subscriptions never confirmed whose last confirmation
     * mail went before `unconfirmedBefore` (someone else's address, perhaps).
     */
    async prune({ doneBefore, failedBefore, linksBefore, unconfirmedBefore }: Record<string, Date>): Promise<void> {
      await db.delivery.deleteMany({
        where: {
          OR: [
            { status: { in: ['sent', 'cancelled'] }, createdAt: { lt: doneBefore } },
            { status: 'failed', createdAt: { lt: failedBefore } },
          ],
        },
      });
      await db.usedMailLink.deleteMany({ where: { usedAt: { lt: linksBefore } } });
      await db.subscription.deleteMany({
        where: {
          confirmedAt: null,
          OR: [
            { confirmationSentAt: { lt: unconfirmedBefore } },
            { confirmationSentAt: null, createdAt: { lt: unconfirmedBefore } },
          ],
        },
      });
    },

    /** Not to be sent after all (its comment or subscription is gone), and why. */
    async markCancelled(id: number, reason: string): Promise<void> {
      await db.delivery.update({ where: { id }, data: { status: 'cancelled', lastError: reason, claimedUntil: null } });
    },

    /** An attempt failed: try again at `retryAt`, or, with none, give up. */
    async markAttemptFailed(id: number, error: string, retryAt: Date | null): Promise<void> {
      await db.delivery.update({
        where: { id },
        data: {
          lastError: error,
          claimedUntil: null,
          ...(retryAt ? { nextAttemptAt: retryAt } : { status: 'failed' }),
        },
      });
    },

    /** A failed delivery queued again, with a fresh round of attempts; or why not. */
    async sendAgain(id: number, now: Date): Promise<'queued' | 'not failed' | 'missing'> {
      const { count } = await db.delivery.updateMany({
        where: { id, status: 'failed' },
        data: { status: 'queued', attempts: 0, nextAttemptAt: now, claimedUntil: null },
      });
      if (count > 0) return 'queued';
      return (await db.delivery.count({ where: { id } })) > 0 ? 'not failed' : 'missing';
    },

    async list(status: DeliveryStatus | undefined, skip: number, take: number) {
      const where = status ? { status } : {};
      const [rows, total] = await Promise.all([
        db.delivery.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], skip, take }),
        db.delivery.count({ where }),
      ]);
      return { deliveries: rows.map(asDelivery), total };
    },

    /** The end of the window the last moderator digest covered; null before the first. */
    async lastDigestEnd(): Promise<Date | null> {
      return (await db.scheduledRun.findUnique({ where: { name: digestRun } }))?.startedAt ?? null;
    },

    /** Ids of the comments made here (not imported) between `from` and `to`, oldest first. */
    async commentsArrivedBetween(from: Date, to: Date, limit: number): Promise<number[]> {
      const rows = await db.comment.findMany({
        where: { createdAt: { gte: from, lt: to }, sourceId: null },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { id: true },
        take: limit,
      });
      return rows.map((row) => row.id);
    },

    /**
     * Queues the digest of the window from `previousEnd` to `windowEnd`, in one transaction that
     * moves the digests' window on from where it was: of servers doing so at once, one does.
     */
    async queueDigest(previousEnd: Date | null, windowEnd: Date, drafts: DeliveryDraft[], now: Date): Promise<boolean> {
      return db.$transaction(async (tx) => {
        const moved =
          previousEnd === null
            ? await tx.$executeRaw`INSERT INTO "ScheduledRun" ("name", "startedAt") VALUES (${digestRun}, ${windowEnd}) ON CONFLICT ("name") DO NOTHING`
            : (
                await tx.scheduledRun.updateMany({
                  where: { name: digestRun, startedAt: previousEnd },
                  data: { startedAt: windowEnd },
                })
              ).count;
        if (moved !== 1) return false;
        if (drafts.length)
          await tx.delivery.createMany({
            data: drafts.map((draft) => ({ ...draft, nextAttemptAt: now, createdAt: now })),
          });
        return true;
      });
    },

    async counts(): Promise<Record<DeliveryStatus, number>> {
      const groups = await db.delivery.groupBy({ by: ['status'], _count: { _all: true } });
      const counts: Record<DeliveryStatus, number> = { queued: 0, sent: 0, failed: 0, cancelled: 0 };
      for (const group of groups) counts[group.status as DeliveryStatus] = group._count._all;
      return counts;
    },
  };
}

/** Some of the events were taken by another server between the look and the transaction. */
export class EventsTakenElsewhere extends Error {
  override name = 'EventsTakenElsewhere';
}
