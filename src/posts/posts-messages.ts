/** What readers are told about posts, in one place for review. */
export const postMessages = {
  notFound: 'Sorry, there is no post at this address. It may have moved, or the link may be mistyped.',
  noPostsYet: 'Nothing has been published yet.',
  titleRequired: 'Please give the post a title.',
  bodyRequired: 'Please write the post.',
  slugInvalid:
    'The slug (the post’s address) may contain lower-case letters, digits and single hyphens, at most 100 characters.',
  slugTaken: 'Another post already uses this slug. Please choose another.',
} as const;
