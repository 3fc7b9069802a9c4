import { ForbiddenError, ValidationError } from '../errors';
import type { PostRecord } from '../posts/posts-repository';
import type { PostsService } from '../posts/posts-service';
import type { CommentStatus } from './comment-status';
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
  moderationMode: 'hold' | 'approve';
  maxThreadDepth?: number;
}

const maxUserAgentLength = 512;

export type CommentsService = ReturnType<typeof createCommentsService>;

/** The public side of comments: posting one, and what a reader sees under a post. */
export function createCommentsService({ repo, posts, moderationMode, maxThreadDepth = 5 }: CommentsServiceOptions) {
  /** The comment a reader may reply to: an approved comment of this post, or null. */
  async function findReplyTarget(postId: number, commentId: number | null | undefined): Promise<PublicComment | null> {
    if (!commentId || !Number.isSafeInteger(commentId)) return null;
    const comment = await repo.findInPost(commentId, postId);
    return comment?.status === 'approved' ? comment : null;
  }

  return {
    /** Stores a validated submission on the post at `slug`: held for moderation, or approved at once. */
    async postComment(
      slug: string,
      submission: CommentSubmission,
      submitter: SubmitterContext,
    ): Promise<{ post: PostRecord; comment: PublicComment }> {
      const post = await posts.getPublished(slug);
      if (!post.commentsOpen) throw new ForbiddenError(messages.closed, 'comments_closed');
      const parentId = submission.comment_parent;
      if (parentId !== null && !(await findReplyTarget(post.id, parentId))) {
        throw new ValidationError({ comment_parent: messages.parentInvalid }, messages.parentInvalid);
      }
      const status: CommentStatus = moderationMode === 'approve' ? 'approved' : 'pending';
      const comment = await repo.create({
        postId: post.id,
        parentId,
        authorName: submission.author,
        authorEmail: submission.email,
        authorUrl: submission.url,
        text: submission.comment,
        textHtml: renderCommentText(submission.comment),
        status,
        ipAddress: submitter.ipAddress,
        userAgent: submitter.userAgent?.slice(0, maxUserAgentLength) ?? null,
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
