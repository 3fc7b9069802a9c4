import { ConflictError } from '../errors';
import { StaleReadError } from '../shared/stale-read';
import type { SpamFilter } from '../spam-filter/spam-filter-service';
import type { Clock } from '../shared/clock';
import type { PublicPageChanges } from '../shared/page-changes';
import type { CommenterDataRepository, Erasure } from './commenter-data-repository';

/** How a commenter's comments are erased: their details removed (the words stay), or the comments deleted. */
export const erasureModes = ['anonymize', 'delete'] as const;
export type ErasureMode = (typeof erasureModes)[number];

/** Who erased, as the comment history names it, and why. */
const erasureNotes: Record<ErasureMode, string> = {
  anonymize: 'the author’s name, address, website, IP and user agent were erased at their request',
  delete: 'deleted at its author’s request; kept as a placeholder for the replies under it',
};

/** The JSON document a commenter's export is: everything stored about their address. */
export interface CommenterExport {
  email: string;
  exportedAt: string;
  comments: {
    id: number;
    post: { slug: string; title: string };
    replyTo: number | null;
    status: string;
    name: string;
    email: string;
    website: string | null;
    text: string;
    ipAddress: string | null;
    userAgent: string | null;
    wantsReplies: boolean;
    createdAt: string;
    updatedAt: string;
    history: { from: string; to: string; by: string; at: string }[];
  }[];
  subscriptions: { post: { slug: string; title: string }; confirmedAt: string | null; createdAt: string }[];
  mail: { kind: string; subject: string | null; status: string; createdAt: string; sentAt: string | null }[];
  /** A block the moderator put on the address: it stays after an erasure (it guards the site). */
  blocks: { note: string | null; createdAt: string }[];
}

export type CommenterDataService = ReturnType<typeof createCommenterDataService>;

/**
 * A commenter's data on request (WordPress's personal data exporter and eraser, in one place): all
 * of it as one JSON document, or erased; and IP addresses and user agents kept no longer than the
 * retention the owner chose.
 */
export function createCommenterDataService({
  repo,
  clock,
  pageChanges,
  ipRetentionDays,
  spamFilter,
}: {
  repo: CommenterDataRepository;
  clock: Clock;
  pageChanges: PublicPageChanges;
  /** Unlearns the erased comments. */
  spamFilter: Pick<SpamFilter, 'lessonToForget'>;
  /** IP_RETENTION_DAYS: 0 stores none at all. */
  ipRetentionDays: number;
}) {
  const iso = (date: Date | null) => date?.toISOString() ?? null;

  /**
   * Erases, and what the spam filter learned from the comments goes with it (their name and website
   * tokens are the commenter's); read again if a moderator decided on one of them meanwhile.
   */
  async function eraseAgainIfStale(
    email: string,
    mode: ErasureMode,
    change: { actor: string; note: string; at: Date },
  ) {
    for (let attempt = 1; ; attempt += 1) {
      const lesson = spamFilter.lessonToForget(await repo.learnedCommentsOf(email));
      try {
        const erasure =
          mode === 'anonymize'
            ? await repo.anonymize(email, change, lesson?.write)
            : await repo.deleteAll(email, change, lesson?.write);
        lesson?.learned();
        return erasure;
      } catch (error) {
        if (!(error instanceof StaleReadError)) throw error;
        if (attempt === 3)
          throw new ConflictError(
            'The comments were being moderated at the same moment. Please try the erasure again.',
            'comments_changed',
          );
      }
    }
  }

  return {
    /** Whether IP addresses and user agents are stored at all. */
    keepsAddresses: ipRetentionDays > 0,

    async exportData(email: string): Promise<CommenterExport> {
      const data = await repo.dataOf(email.trim());
      return {
        email: email.trim(),
        exportedAt: clock.now().toISOString(),
        comments: data.comments.map((comment) => ({
          id: comment.id,
          post: comment.post,
          replyTo: comment.parentId,
          status: comment.status,
          name: comment.authorName,
          email: comment.authorEmail,
          website: comment.authorUrl,
          text: comment.text,
          ipAddress: comment.ipAddress,
          userAgent: comment.userAgent,
          wantsReplies: comment.wantsReplies,
          createdAt: comment.createdAt.toISOString(),
          updatedAt: comment.updatedAt.toISOString(),
          history: comment.statusChanges.map((change) => ({
            from: change.fromStatus,
            to: change.toStatus,
            by: change.actor,
            at: change.createdAt.toISOString(),
          })),
        })),
        subscriptions: data.subscriptions.map((subscription) => ({
          post: subscription.post,
          confirmedAt: iso(subscription.confirmedAt),
          createdAt: subscription.createdAt.toISOString(),
        })),
        mail: data.mail.map((mail) => ({
          kind: mail.kind,
          subject: mail.subject,
          status: mail.status,
          createdAt: mail.createdAt.toISOString(),
          sentAt: iso(mail.sentAt),
        })),
        blocks: data.blocks.map((block) => ({ note: block.note, createdAt: block.createdAt.toISOString() })),
      };
    },

    /** Erases what is stored about the address; `actor` is recorded in each kept comment's history. */
    async erase(email: string, mode: ErasureMode, actor: string): Promise<Omit<Erasure, 'postSlugs'>> {
      const change = { actor, note: erasureNotes[mode], at: clock.now() };
      const { postSlugs, ...erasure } = await eraseAgainIfStale(email.trim(), mode, change);
      await repo.removeErasureRequests({ email: email.trim() });
      for (const slug of postSlugs) pageChanges.postChanged(slug);
      return erasure;
    },

    /** Removes IP addresses and user agents (and the networks made of them) from comments older than the retention; how many. */
    async removeOldAddresses(): Promise<number> {
      const now = clock.now().getTime();
      // With 0, none are stored; the network alone is kept a day, for the flood and repeat checks.
      const days = Math.max(ipRetentionDays, 1);
      const changed = await repo.removeAddressesBefore(new Date(now - days * 24 * 3_600_000));
      await repo.removeErasureRequests({ before: new Date(now - erasureLinkLifetimeMs) });
      return changed;
    },
  };
}

/** A self-service erasure link works for a day. */
export const erasureLinkLifetimeMs = 24 * 3_600_000;
