/** What readers are told about posts, in one place for review. */
export const postMessages = {
  notFound: 'Sorry, there is no post at this address. It may have moved, or the link may be mistyped.',
  noPostsYet: 'Nothing has been published yet.',
} as const;
