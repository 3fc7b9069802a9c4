/** What the moderator is told about comments and rules, in one place for review. */
export const moderationMessages = {
  commentNotFound: 'That comment does not exist (it may have been deleted).',
  deleteOnlyFromTrash:
    'Only comments in the trash or marked as spam can be deleted permanently. Move it to the trash first.',
  noChange: 'No comment needed that change.',
  changedMeanwhile:
    'Those comments were being changed by someone else at the same moment. Please look again and retry.',
  replyNotVisible: 'That comment is in spam or the trash: restore and approve it before replying to it.',
  replyPublished: 'Your reply is published.',
  pinOnlyApproved: 'Only an approved comment can be pinned: approve it first.',
  erasedNotEditable: 'This comment was erased at its author’s request: there is nothing to edit or show.',
  pinned: 'The comment is pinned to the top of its post’s comments.',
  unpinned: 'The comment is no longer pinned.',
  locked: 'Replies to the comment are closed.',
  unlocked: 'Replies to the comment are open again.',
} as const;
