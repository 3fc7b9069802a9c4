import { ForbiddenError, NotFoundError } from '../errors';
import type { Clock } from '../shared/clock';
import { noPageChanges, type PublicPageChanges } from '../shared/page-changes';
import { decideArrivalStatus } from '../moderation/moderation-rules';
import type { ModerationSettingsRepository } from '../moderation/moderation-settings-repository';
import type { PostsService } from '../posts/posts-service';
import type { SpamFilter } from '../spam-filter/spam-filter-service';
import { StaleReadError } from '../shared/stale-read';
import { renderCommentText } from '../shared/comment-text';
import { commentMessages as messages } from './comments-messages';
import type { AuthoredComment, CommentsRepository } from './comments-repository';

export interface OwnCommentsOptions {
  repo: CommentsRepository;
  posts: PostsService;
  settings: ModerationSettingsRepository;
  editWindowMinutes: number;
  pageChanges?: PublicPageChanges;
  clock: Clock;
  /** Scores the new words; what the old ones taught it is unlearned (the moderator decided on those). */
  spamFilter: Pick<SpamFilter, 'assess' | 'lessonFromEdit'>;
}

export type OwnCommentsService = ReturnType<typeof createOwnCommentsService>;

/**
 * Commenters changing their own words: edit or delete, only from the browser that posted the
 * comment (its signed own-comments cookie) and only within the edit window after posting.
 */
export function createOwnCommentsService({
  repo,
  posts,
  settings,
  editWindowMinutes,
  pageChanges = noPageChanges,
  clock,
  spamFilter,
}: OwnCommentsOptions) {
  const windowMs = editWindowMinutes * 60 * 1000;
  const withinWindow = (createdAt: Date): boolean =>
    windowMs > 0 && clock.now().getTime() - createdAt.getTime() <= windowMs;

  async function authorize(
    slug: string,
    id: number,
    ownCommentIds: readonly number[],
  ): Promise<{ postId: number; comment: AuthoredComment }> {
    const post = await posts.getPublished(slug);
    const comment = await repo.findAuthored(id, post.id);
    if (!comment || comment.status === 'trash') throw new NotFoundError(messages.commentNotFound);
    if (!ownCommentIds.includes(id)) throw new ForbiddenError(messages.notYours, 'not_your_comment');
    if (!withinWindow(comment.createdAt))
      throw new ForbiddenError(messages.editWindowOver(editWindowMinutes), 'edit_window_over');
    return { postId: post.id, comment };
  }

  /** Replaces the text, judged again (see editOwn). */
  async function editOnce(slug: string, id: number, ownCommentIds: readonly number[], text: string): Promise<void> {
    const { comment } = await authorize(slug, id, ownCommentIds);
    const rules = await settings.current();
    // Its author proved their browser (the cookie): its approved comments make them known.
    const isKnown =
      comment.status === 'approved' ||
      (await repo.hasApprovedComment(comment.authorEmail, comment.authorName, {
        network: null,
        ownIds: ownCommentIds,
      }));
    const edited = { text, authorName: comment.authorName, authorUrl: comment.authorUrl };
    const spam = await spamFilter.assess({ text, name: comment.authorName, url: comment.authorUrl });
    const decision = decideArrivalStatus({ ...comment, text }, rules, isKnown, spam);
    const to = comment.status === 'approved' || decision.status === 'spam' ? decision.status : comment.status;
    const lesson = spamFilter.lessonFromEdit(comment, edited, false);
    await repo.updateText(
      id,
      {
        text,
        textHtml: renderCommentText(text),
        from: comment.status,
        to,
        note: `edited by its author: ${decision.note}`,
      },
      lesson?.write,
    );
    lesson?.learned();
    if (comment.status === 'approved') pageChanges.postChanged(slug);
  }

  return {
    /** Which of these comments the viewer may still edit or delete (for the links under them). */
    editableIds(comments: readonly { id: number; createdAt: Date }[], ownCommentIds: readonly number[]): Set<number> {
      return new Set(
        comments.filter((c) => ownCommentIds.includes(c.id) && withinWindow(c.createdAt)).map((c) => c.id),
      );
    },

    /**
     * Whether a viewer's own comments make this post's page theirs alone: one awaiting moderation
     * (shown to them only) or one they may still edit (its links). Otherwise they see the shared page.
     */
    async changePageOf(postId: number, ownCommentIds: readonly number[]): Promise<boolean> {
      if (ownCommentIds.length === 0) return false;
      const own = await repo.findOwnOnPost(postId, ownCommentIds);
      return own.some((comment) => comment.status !== 'approved' || withinWindow(comment.createdAt));
    },

    /** The comment its author is about to edit. */
    async getForEditing(slug: string, id: number, ownCommentIds: readonly number[]): Promise<AuthoredComment> {
      return (await authorize(slug, id, ownCommentIds)).comment;
    },

    /** Whether saving an edit takes this comment off the page until a moderator approves it again. */
    async editWaitsForModerator(comment: AuthoredComment): Promise<boolean> {
      return comment.status === 'approved' && (await settings.current()).mode === 'hold';
    },

    /**
     * Replaces the text. The new text meets the moderation rules again (with the author counted as
     * known when approved), so an approved comment cannot be edited into spam behind the moderator's back.
     */
    async editOwn(slug: string, id: number, ownCommentIds: readonly number[], text: string): Promise<void> {
      try {
        await editOnce(slug, id, ownCommentIds, text);
      } catch (error) {
        // A moderator decided on it between the read and the write: once more, from what it is now.
        if (!(error instanceof StaleReadError)) throw error;
        await editOnce(slug, id, ownCommentIds, text);
      }
    },

    async deleteOwn(slug: string, id: number, ownCommentIds: readonly number[]): Promise<void> {
      const { comment } = await authorize(slug, id, ownCommentIds);
      await repo.delete(id);
      if (comment.status === 'approved') pageChanges.postChanged(slug);
    },
  };
}
