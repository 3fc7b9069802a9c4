import type { ModeratedComment } from './moderation-repository';

/**
 * A comment as the moderator's API shows it, and as a webhook sends it: everything, email, IP and
 * user agent included (both go only to the site's owner).
 */
export function moderatedCommentJson(comment: ModeratedComment) {
  return {
    id: comment.id,
    post: comment.post,
    parentId: comment.parentId,
    authorName: comment.authorName,
    authorEmail: comment.authorEmail,
    authorUrl: comment.authorUrl,
    text: comment.text,
    html: comment.textHtml,
    status: comment.status,
    ipAddress: comment.ipAddress,
    userAgent: comment.userAgent,
    createdAt: comment.createdAt.toISOString(),
    byPostAuthor: comment.byPostAuthor,
    pinned: comment.pinnedAt !== null,
    repliesLocked: comment.repliesLocked,
    deleted: comment.erased,
    spamScore: comment.spamScore,
    spamReasons: comment.spamReasons,
  };
}
