import { ForbiddenError, ValidationError } from '../errors';
import type { PostRecord } from '../posts/posts-repository';
import { commentsAreOpen, decideArrivalStatus } from '../moderation/moderation-rules';
import type { ModerationSettingsRepository } from '../moderation/moderation-settings-repository';
import type { PostsService } from '../posts/posts-service';
import { renderCommentText } from './comment-text';
import { buildCommentThreads, type CommentNode } from './comment-threads';
import { commentMessages as messages } from './comments-messages';
import type { CommentsRepository, PublicComment } from './comments-repository';
import type { CommentSubmission } from './comments-schema';

/** Who sent a comment, as the request showed it; kept for the moderator's spam decisions. */
export interface SubmitterContext {
  ipAddress: string | null;
  userAgent: string | null;
}

export interface CommentsServiceOptions {
  repo: CommentsRepository;
  posts: PostsService;
  settings: ModerationSettingsRepository;
  now?: () => Date;
  maxThreadDepth?: number;
}

const maxUserAgentLength = 512;

export type CommentsService = ReturnType<typeof createCommentsService>;

/** The public side of comments: posting one, and what a reader sees under a post. */
export function createCommentsService({ repo, posts, settings, now = () => new Date(), maxThreadDepth = 5 }: CommentsServiceOptions) {
  /** The comment a reader may reply to: an approved comment of this post, or null. */
  async function findReplyTarget(postId: number, commentId: number | null | undefined): Promise<PublicComment | null> {
    if (!commentId || !Number.isSafeInteger(commentId)) return null;
    const comment = await repo.findInPost(commentId, postId);
    return comment?.status === 'approved' ? comment : null;
  }

  return {
    /** Whether the post takes comments now (its own switch, and the automatic closing age). */
    async isOpen(post: PostRecord): Promise<boolean> {
      return commentsAreOpen(post, await settings.current(), now());
    },

    /** Stores a validated submission on the post at `slug`, with the status the moderation rules give it. */
    async postComment(
      slug: string,
      submission: CommentSubmission,
      submitter: SubmitterContext,
    ): Promise<{ post: PostRecord; comment: PublicComment }> {
      const post = await posts.getPublished(slug);
      const rules = await settings.current();
      if (!commentsAreOpen(post, rules, now())) throw new ForbiddenError(messages.closed, 'comments_closed');
      const parentId = submission.comment_parent;
      if (parentId !== null && !(await findReplyTarget(post.id, parentId))) {
        throw new ValidationError({ comment_parent: messages.parentInvalid }, messages.parentInvalid);
      }
      const arriving = {
        authorName: submission.author,
        authorEmail: submission.email,
        authorUrl: submission.url,
        text: submission.comment,
        ipAddress: submitter.ipAddress,
        userAgent: submitter.userAgent?.slice(0, maxUserAgentLength) ?? null,
      };
      const isKnown = rules.mode === 'known' && (await repo.hasApprovedComment(arriving.authorEmail, arriving.authorName));
      const decision = decideArrivalStatus(arriving, rules, isKnown);
      const comment = await repo.create({
        ...arriving,
        postId: post.id,
        parentId,
        textHtml: renderCommentText(submission.comment),
        status: decision.status,
        statusNote: decision.note,
      });
      return { post, comment };
    },

    /** The threads under a post: approved comments, plus the viewer's own that await moderation. */
    async threadsForPost(postId: number, ownCommentIds: readonly number[]): Promise<{ threads: CommentNode[]; approvedCount: number }> {
      const comments = await repo.listVisibleForPost(postId, ownCommentIds);
      return {
        threads: buildCommentThreads(comments, maxThreadDepth),
        approvedCount: comments.filter((comment) => comment.status === 'approved').length,
      };
    },

    findReplyTarget,

    /** The approved comments of the post at `slug`, oldest first. */
    async listApproved(slug: string): Promise<PublicComment[]> {
      const post = await posts.getPublished(slug);
      return repo.listVisibleForPost(post.id);
    },
  };
}
