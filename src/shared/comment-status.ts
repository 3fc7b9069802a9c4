/** Where a comment is in moderation. Only `approved` comments are ever shown to the public. */
export const commentStatuses = ['pending', 'approved', 'spam', 'trash'] as const;
export type CommentStatus = (typeof commentStatuses)[number];
