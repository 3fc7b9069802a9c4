import { renderCommentText } from '../shared/comment-text';
import type { CommentStatus } from '../shared/comment-status';
import { ConflictError, NotFoundError } from '../errors';
import type { Clock } from '../shared/clock';
import { noPageChanges, type PublicPageChanges } from '../shared/page-changes';
import { moderationMessages } from './moderation-messages';
import type { CommentFilter, ModeratedComment, ModerationRepository } from './moderation-repository';
import type { SpamFilter } from '../spam-filter/spam-filter-service';
import { StaleReadError } from '../shared/stale-read';

/** What a moderator can do to a comment, as WordPress names it. */
export const moderationActions = ['approve', 'unapprove', 'spam', 'notspam', 'trash', 'restore'] as const;
export type ModerationAction = (typeof moderationActions)[number];

const actionTargets: Record<Exclude<ModerationAction, 'restore'>, CommentStatus> = {
  approve: 'approved',
  unapprove: 'pending',
  spam: 'spam',
  notspam: 'pending',
  trash: 'trash',
};

const pastTense: Record<ModerationAction, string> = {
  approve: 'approved',
  unapprove: 'unapproved',
  spam: 'marked as spam',
  notspam: 'marked as not spam',
  trash: 'moved to the trash',
  restore: 'restored from the trash',
};

/** "1 comment approved." / "3 comments moved to the trash." / "No comment needed that change." */
export function describeOutcome(action: ModerationAction, changed: number): string {
  if (changed === 0) return moderationMessages.noChange;
  return `${changed} ${changed === 1 ? 'comment' : 'comments'} ${pastTense[action]}.`;
}

export interface EditedComment {
  author: string;
  email: string;
  url: string | null;
  comment: string;
}

export const adminPageSize = 20;

export type ModerationService = ReturnType<typeof createModerationService>;

/** The moderator's work on comments: the queue, status changes (recorded), edits and deletion. */
export function createModerationService({
  repo,
  clock,
  pageChanges = noPageChanges,
  spamFilter,
}: {
  repo: ModerationRepository;
  clock: Clock;
  pageChanges?: PublicPageChanges;
  /** Learns from each decision, in the decision's transaction. */
  spamFilter: Pick<SpamFilter, 'lessonFrom' | 'lessonFromEdit'>;
}) {
  async function getComment(id: number) {
    const comment = await repo.findById(id);
    if (!comment) throw new NotFoundError(moderationMessages.commentNotFound, 'comment_not_found');
    return comment;
  }

  let decisions: Promise<unknown> = Promise.resolve();

  /**
   * Moves the comments to their target statuses; returns how many changed. The spam filter learns
   * from each move, and from "not spam" (`notSpam`) even where the status stays.
   */
  /**
   * Runs decisions one at a time in this process, each read afresh if another process changed its
   * comments between its read and its write: two clicks at once never teach the filter twice.
   */
  function inTurn<T>(work: () => Promise<T>): Promise<T> {
    const turn = decisions.then(() => moveAgainIfStale(work));
    decisions = turn.catch(() => undefined);
    return turn;
  }

  function moveTo(
    ids: readonly number[],
    targetOf: (current: CommentStatus, id: number) => CommentStatus | null,
    actor: string,
    notSpam = false,
  ): Promise<number> {
    return inTurn(() => moveNow(ids, targetOf, actor, notSpam));
  }

  /**
   * Runs a move, and again (reading afresh) if another process moved one of its comments between
   * the read and the write; a third time refused, it says so (409).
   */
  async function moveAgainIfStale<T>(move: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await move();
      } catch (error) {
        if (!(error instanceof StaleReadError)) throw error;
        if (attempt === 3) throw new ConflictError(moderationMessages.changedMeanwhile, 'comments_changed');
      }
    }
  }

  async function moveNow(
    ids: readonly number[],
    targetOf: (current: CommentStatus, id: number) => CommentStatus | null,
    actor: string,
    notSpam: boolean,
  ) {
    const current = await repo.statusesOf(ids);
    const decided = current.flatMap((comment) => {
      const to = targetOf(comment.status, comment.id);
      return to === null || (to === comment.status && !notSpam) ? [] : [{ comment, to }];
    });
    const changes = decided
      .filter(({ comment, to }) => to !== comment.status)
      .map(({ comment, to }) => ({ id: comment.id, from: comment.status, to, postSlug: comment.postSlug }));
    const lesson = await spamFilter.lessonFrom(decided.map(({ comment, to }) => ({ comment, to, notSpam })));
    if (changes.length || lesson) await repo.applyStatusChanges(changes, actor, clock.now(), lesson?.write);
    lesson?.learned();
    // Only a change into or out of "approved" alters what readers see.
    const visible = changes.filter((change) => change.from === 'approved' || change.to === 'approved');
    for (const slug of new Set(visible.map((change) => change.postSlug))) pageChanges.postChanged(slug);
    return changes.length;
  }

  return {
    async counts(): Promise<Record<CommentStatus, number>> {
      const counts = await repo.countByStatus();
      return {
        pending: counts.pending ?? 0,
        approved: counts.approved ?? 0,
        spam: counts.spam ?? 0,
        trash: counts.trash ?? 0,
      };
    },

    async list(
      filter: CommentFilter,
      page: number,
    ): Promise<{ comments: ModeratedComment[]; total: number; page: number; pages: number }> {
      const { comments, total } = await repo.list(filter, (page - 1) * adminPageSize, adminPageSize);
      return { comments, total, page, pages: Math.max(1, Math.ceil(total / adminPageSize)) };
    },

    getComment,

    /** A comment with its history, or null if there is none by that id. */
    findComment: (id: number) => repo.findById(id),

    /** Applies a moderation action to each comment; "restore" returns a comment to where it was before the trash. */
    async apply(action: ModerationAction, ids: readonly number[], actor: string): Promise<number> {
      if (action !== 'restore') return moveTo(ids, () => actionTargets[action], actor, action === 'notspam');
      const previous = await repo.statusesBeforeTrash(ids);
      return moveTo(ids, (status, id) => (status === 'trash' ? (previous.get(id) ?? 'pending') : null), actor);
    },

    /** Sets a status directly (the admin API); returns how many changed. */
    async setStatus(ids: readonly number[], status: CommentStatus, actor: string): Promise<number> {
      return moveTo(ids, () => status, actor);
    },

    async edit(id: number, edited: EditedComment): Promise<void> {
      const comment = await getComment(id);
      if (comment.erased) throw new ConflictError(moderationMessages.erasedNotEditable, 'comment_erased');
      // What it taught the filter is learned again from the words it has now.
      await inTurn(async () => {
        const [learned] = await repo.statusesOf([id]);
        const lesson =
          learned &&
          spamFilter.lessonFromEdit(
            learned,
            { text: edited.comment, authorName: edited.author, authorUrl: edited.url },
            true,
          );
        await repo.update(
          id,
          {
            authorName: edited.author,
            authorEmail: edited.email,
            authorUrl: edited.url,
            text: edited.comment,
            textHtml: renderCommentText(edited.comment),
          },
          lesson?.write,
        );
        lesson?.learned();
      });
      if (comment.status === 'approved') pageChanges.postChanged(comment.post.slug);
    },

    /**
     * Publishes the post author's reply to a comment, under `authorName` with the author's mark.
     * A comment still waiting is approved with it (answering it is approving it, as in
     * WordPress); one in spam or the trash is not answered.
     */
    async replyAsAuthor(parentId: number, text: string, authorName: string, actor: string): Promise<number> {
      const parent = await getComment(parentId);
      if (parent.erased) throw new ConflictError(moderationMessages.erasedNotEditable, 'comment_erased');
      if (parent.status === 'spam' || parent.status === 'trash') {
        throw new ConflictError(moderationMessages.replyNotVisible, 'comment_not_visible');
      }
      if (parent.status === 'pending') await moveTo([parentId], () => 'approved', actor);
      const id = await repo.insertAuthorReply({
        postId: parent.post.id,
        parentId,
        authorName,
        text,
        textHtml: renderCommentText(text),
        note: `Written by the post's author (${actor})`,
        now: clock.now(),
      });
      pageChanges.postChanged(parent.post.slug);
      return id;
    },

    /**
     * Pins a comment (shown again at the top of its post's first page of comments) or unpins it,
     * and locks or unlocks its replies. Only an approved comment is pinned.
     */
    async setThreadFlags(id: number, { pinned, repliesLocked }: { pinned?: boolean; repliesLocked?: boolean }) {
      const comment = await getComment(id);
      if (pinned && (comment.status !== 'approved' || comment.erased))
        throw new ConflictError(
          comment.erased ? moderationMessages.erasedNotEditable : moderationMessages.pinOnlyApproved,
          comment.erased ? 'comment_erased' : 'comment_not_approved',
        );
      const pinnedAt = pinned === undefined ? undefined : pinned ? (comment.pinnedAt ?? clock.now()) : null;
      await repo.setThreadFlags(id, { pinnedAt, repliesLocked });
      pageChanges.postChanged(comment.post.slug);
    },

    /** Deletes for good; only from the trash or spam, so nothing is lost by one wrong click. */
    async deletePermanently(id: number): Promise<void> {
      const comment = await getComment(id);
      if (comment.status !== 'trash' && comment.status !== 'spam') {
        throw new ConflictError(moderationMessages.deleteOnlyFromTrash, 'not_in_trash');
      }
      await repo.delete(id);
    },
  };
}
