import type { Logger } from 'pino';
import { ConflictError, NotFoundError } from '../errors';
import { moderatedCommentJson } from '../moderation/moderated-comment-json';
import type { ModerationService } from '../moderation/moderation-service';
import type { ModeratedComment } from '../moderation/moderation-repository';
import type { Clock } from '../shared/clock';
import type { MailAction, MailLinks } from './mail-links';
import type { MailSetup } from './mail-setup';
import { digestMail, moderatorMail } from './moderator-mail';
import type { NotificationSettingsRepository } from './notification-settings-repository';
import type { NotificationSettings } from './notification-settings';
import {
  EventsTakenElsewhere,
  type Delivery,
  type DeliveryDraft,
  type DeliveryStatus,
  type OutboxEvent,
  type OutboxRepository,
  type SubscriptionAsked,
} from './outbox-repository';
import { confirmationMail, replyMail, type WrittenMail } from './subscriber-mail';
import type { SubscriptionsRepository } from './subscriptions-repository';
import type { SubscriptionsService } from './subscriptions-service';
import type { UsedMailLinksRepository } from './used-mail-links-repository';

/** The events a webhook hears of, by the outbox event that causes them. */
const webhookEvents: Record<string, string> = {
  'comment.created': 'comment.created',
  'comment.approved': 'comment.approved',
  'comment.spam': 'comment.spam',
  'comment.trash': 'comment.trashed',
};

/** What a moderator mail's link finds when opened or used. */
export type MailLinkState =
  | { state: 'ready'; comment: ModeratedComment; action: MailAction }
  | { state: 'done'; comment: ModeratedComment; action: MailAction }
  | { state: 'moved' | 'used'; comment: ModeratedComment }
  | { state: 'invalid' | 'expired' | 'gone' };

export type NotificationsService = ReturnType<typeof createNotificationsService>;

type CommentWithHistory = NonNullable<Awaited<ReturnType<ModerationService['findComment']>>>;

export const deliveriesPageSize = 30;

const hourMs = 3_600_000;
/** A digest lists this many comments at most, and counts the rest. */
const digestMaxListed = 100;

/**
 * What the outbox's events turn into: moderator mail (per held comment, or per comment) and
 * webhook calls, each a queued delivery; and what a moderator mail's signed links do.
 */
export function createNotificationsService({
  outbox,
  settings,
  usedMailLinks,
  moderation,
  mailLinks,
  subscriptions,
  subscriptionsRepo,
  mail,
  publicUrl,
  siteTitle,
  clock,
  logger,
}: {
  outbox: OutboxRepository;
  settings: NotificationSettingsRepository;
  usedMailLinks: UsedMailLinksRepository;
  moderation: ModerationService;
  mailLinks: MailLinks;
  subscriptions: SubscriptionsService;
  subscriptionsRepo: SubscriptionsRepository;
  mail: MailSetup;
  /** PUBLIC_URL, for links in webhooks (mail has it too, in `mail.ready`). */
  publicUrl: string | null;
  siteTitle: string;
  clock: Clock;
  logger: Logger;
}) {
  /**
   * A delivery for each confirmed subscriber of the comment's post but its author (once per comment
   * and address). Each is a small row: its mail is written when it is sent (`writeReplyMail`).
   */
  async function replyMailsFor(comment: CommentWithHistory): Promise<DeliveryDraft[]> {
    if (!mail.ready) return [];
    const authorKey = subscriptions.emailKeyOf(comment.authorEmail);
    const alreadyMailed = await outbox.recipientsOf('reply', comment.id);
    const subscribers = (await subscriptionsRepo.confirmedForPost(comment.post.id)).filter(
      (subscriber) => subscriber.emailKey !== authorKey && !alreadyMailed.has(subscriber.email),
    );
    return subscribers.map((subscriber) => ({
      channel: 'mail',
      kind: 'reply',
      recipient: subscriber.email,
      commentId: comment.id,
      subscriptionId: subscriber.id,
      body: '',
    }));
  }

  /** What one event calls for: deliveries, and a subscription asked for by the comment's author. */
  async function planFor(
    event: OutboxEvent,
    comment: CommentWithHistory | null,
    current: NotificationSettings,
    wantsReplies: boolean,
  ): Promise<{ drafts: DeliveryDraft[]; asked: SubscriptionAsked[] }> {
    if (!comment) return { drafts: [], asked: [] }; // deleted since
    const drafts: DeliveryDraft[] = [];
    const asked: SubscriptionAsked[] = [];
    const now = clock.now();
    const created = event.kind === 'comment.created';
    if (created && mail.ready && mail.moderators.length > 0) {
      const wanted =
        current.moderatorMail === 'held'
          ? comment.status === 'pending'
          : current.moderatorMail === 'every' && comment.status !== 'spam';
      if (wanted) {
        const note = comment.status === 'pending' ? (comment.history[0]?.note ?? null) : null;
        for (const recipient of mail.moderators) {
          // Each moderator's mail has its own links: one moderator's click leaves the other's working until the comment moves.
          const draft = moderatorMail(comment, {
            note,
            siteTitle,
            publicUrl: mail.ready.publicUrl,
            links: mailLinks,
            now,
          });
          drafts.push({
            channel: 'mail',
            kind: 'moderator',
            recipient,
            commentId: comment.id,
            subject: draft.subject,
            body: draft.text,
            html: draft.html,
          });
        }
      }
    }
    // A subscription is asked for once the comment is published (arriving approved, or approved
    // later): until then a held, blocked or spam comment looks the same to its sender, and a
    // comment judged spam asks nothing, its address may be anyone's.
    const published = created ? comment.status === 'approved' : event.kind === 'comment.approved';
    if (published && wantsReplies && mail.ready) {
      const ready = mail.ready;
      asked.push({
        postId: comment.post.id,
        email: comment.authorEmail,
        emailKey: subscriptions.emailKeyOf(comment.authorEmail),
        confirmationMail: (subscriptionId) => {
          const draft = confirmationMail(comment.post, subscriptionId, {
            siteTitle,
            publicUrl: ready.publicUrl,
            links: subscriptions.links,
          });
          return {
            channel: 'mail',
            kind: 'confirmation',
            recipient: comment.authorEmail,
            commentId: comment.id,
            subject: draft.subject,
            body: draft.text,
            html: draft.html,
          };
        },
      });
    }
    if (event.kind === 'comment.approved' || (created && comment.status === 'approved'))
      drafts.push(...(await replyMailsFor(comment)));
    const webhookEvent = webhookEvents[event.kind];
    if (webhookEvent && current.webhookUrl && current.webhookSecret) {
      const body = JSON.stringify({
        event: webhookEvent,
        occurredAt: now.toISOString(),
        comment: moderatedCommentJson(comment),
        post: {
          ...comment.post,
          ...(comment.post.embedUrl
            ? { url: comment.post.embedUrl }
            : publicUrl
              ? { url: `${publicUrl}/posts/${encodeURIComponent(comment.post.slug)}` }
              : {}),
        },
      });
      drafts.push({
        channel: 'webhook',
        kind: webhookEvent,
        recipient: current.webhookUrl,
        body,
        commentId: comment.id,
      });
    }
    return { drafts, asked };
  }

  /** What a moderator mail's link stands for, without acting (a GET: mail scanners open links). */
  async function readMailLink(token: string): Promise<MailLinkState> {
    const link = mailLinks.read(token);
    if (!link) return { state: 'invalid' };
    if (link.expiresAt.getTime() <= clock.now().getTime()) return { state: 'expired' };
    const comment = await moderation.findComment(link.commentId);
    if (!comment) return { state: 'gone' };
    if (await usedMailLinks.isUsed(link.mailId)) return { state: 'used', comment };
    // Moderated since the mail was written (in the admin area, by another moderator's mail).
    if (comment.status !== link.mailedStatus) return { state: 'moved', comment };
    return { state: 'ready', comment, action: link.action };
  }

  let lastPruned = 0;

  return {
    /**
     * Deletes, at most once an hour, notification data past its use: deliveries sent 30 days ago
     * or failed 90 days ago, used-link records past the links' week, subscriptions unconfirmed for
     * eight days.
     */
    async pruneIfDue(): Promise<void> {
      const now = clock.now().getTime();
      if (now - lastPruned < hourMs) return;
      lastPruned = now;
      const daysAgo = (days: number) => new Date(now - days * 24 * hourMs);
      await outbox.prune({
        doneBefore: daysAgo(30),
        failedBefore: daysAgo(90),
        linksBefore: daysAgo(8),
        unconfirmedBefore: daysAgo(8),
      });
    },

    /**
     * A reply mail as it is to be sent now, from the comment and subscription as they are; null,
     * with the reason, when there is no longer anything to send (the comment is not published,
     * the subscription has ended).
     */
    async writeReplyMail(
      delivery: Pick<Delivery, 'commentId' | 'subscriptionId'>,
    ): Promise<WrittenMail | { cancelled: string }> {
      if (!mail.ready) return { cancelled: 'mail is off' };
      const comment = delivery.commentId === null ? null : await moderation.findComment(delivery.commentId);
      if (comment?.status !== 'approved') return { cancelled: 'the comment is no longer published' };
      const subscription =
        delivery.subscriptionId === null ? null : await subscriptionsRepo.findById(delivery.subscriptionId);
      if (!subscription?.confirmedAt) return { cancelled: 'the subscription has ended' };
      return replyMail(comment, subscription, {
        siteTitle,
        publicUrl: mail.ready.publicUrl,
        links: subscriptions.links,
      });
    },

    /** Turns the waiting events into deliveries, a batch at a time; how many deliveries were queued. */
    async expandEvents(batchSize = 20): Promise<number> {
      let queued = 0;
      for (;;) {
        const events = await outbox.peekEvents(batchSize);
        if (events.length === 0) return queued;
        const current = await settings.get();
        // With neither mail nor a webhook set up, no event calls for anything: all go at once.
        if (!mail.ready && !(current.webhookUrl && current.webhookSecret)) {
          await outbox.dropEvents();
          return queued;
        }
        const wanting = await outbox.wantingReplies(events.map((event) => event.commentId));
        const drafts: DeliveryDraft[] = [];
        const asked: SubscriptionAsked[] = [];
        for (const event of events) {
          const comment = await moderation.findComment(event.commentId);
          const plan = await planFor(event, comment, current, wanting.has(event.commentId));
          drafts.push(...plan.drafts);
          asked.push(...plan.asked);
        }
        try {
          queued += await outbox.replaceEvents(
            events.map((event) => event.id),
            drafts,
            asked,
            clock.now(),
          );
        } catch (error) {
          if (!(error instanceof EventsTakenElsewhere)) throw error;
          logger.debug('another server took some of these events; looking again');
        }
        if (events.length < batchSize) return queued;
      }
    },

    /**
     * With the hourly digest chosen, queues the digest of the last full hour (and of any hour
     * since the last one sent, back to a day), once an hour is over; one mail per moderator,
     * none for an hour with no comment.
     */
    async queueDigestIfDue(): Promise<void> {
      if (!mail.ready || mail.moderators.length === 0) return;
      if ((await settings.get()).moderatorMail !== 'digest') return;
      const now = clock.now();
      const windowEnd = new Date(Math.floor(now.getTime() / hourMs) * hourMs);
      const previousEnd = await outbox.lastDigestEnd();
      if (previousEnd && previousEnd.getTime() >= windowEnd.getTime()) return;
      // The hour just over; after a pause (no server running at the hour), every hour since, back to a day.
      const from = previousEnd
        ? new Date(Math.max(previousEnd.getTime(), windowEnd.getTime() - 24 * hourMs))
        : new Date(windowEnd.getTime() - hourMs);
      const ids = await outbox.commentsArrivedBetween(from, windowEnd, digestMaxListed + 1000);
      const entries: { comment: ModeratedComment; note: string | null }[] = [];
      let spam = 0;
      for (const id of ids) {
        const comment = await moderation.findComment(id);
        if (!comment) continue;
        if (comment.status === 'spam') spam += 1;
        else if (entries.length < digestMaxListed) entries.push({ comment, note: comment.history[0]?.note ?? null });
      }
      const more = ids.length - spam - entries.length;
      const drafts: DeliveryDraft[] = entries.length
        ? mail.moderators.map((recipient) => {
            const draft = digestMail(entries, more, {
              siteTitle,
              publicUrl: mail.ready!.publicUrl,
              links: mailLinks,
              now,
            });
            return {
              channel: 'mail',
              kind: 'digest',
              recipient,
              subject: draft.subject,
              body: draft.text,
              html: draft.html,
            };
          })
        : [];
      await outbox.queueDigest(previousEnd, windowEnd, drafts, now);
    },

    /** The deliveries for the moderator's list, newest first, with how many there are of each status. */
    async listDeliveries(status: DeliveryStatus | undefined, page: number) {
      const [{ deliveries, total }, counts] = await Promise.all([
        outbox.list(status, (page - 1) * deliveriesPageSize, deliveriesPageSize),
        outbox.counts(),
      ]);
      return { deliveries, total, counts, page, pages: Math.max(1, Math.ceil(total / deliveriesPageSize)) };
    },

    /** Queues a failed delivery again, with a fresh round of attempts. */
    async sendAgain(id: number): Promise<void> {
      const outcome = await outbox.sendAgain(id, clock.now());
      if (outcome === 'missing') throw new NotFoundError('There is no such delivery.', 'delivery_not_found');
      if (outcome === 'not failed')
        throw new ConflictError(
          'Only a failed delivery can be sent again; this one is not (or no longer) failed.',
          'not_failed',
        );
    },

    readMailLink,

    /** Acts on the link's comment, once: the first use of any of its mail's links. */
    async useMailLink(token: string): Promise<MailLinkState> {
      const found = await readMailLink(token);
      if (found.state !== 'ready') return found;
      const link = mailLinks.read(token)!;
      if (!(await usedMailLinks.use(link.mailId, clock.now()))) return { state: 'used', comment: found.comment };
      await moderation.apply(found.action, [found.comment.id], 'mail link');
      return {
        state: 'done',
        comment: (await moderation.findComment(found.comment.id)) ?? found.comment,
        action: found.action,
      };
    },
  };
}
