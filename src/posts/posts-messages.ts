/** What readers are told about posts, in one place for review. */
export const postMessages = {
  notFound: 'Sorry, there is no post at this address. It may have moved, or the link may be mistyped.',
  noPostsYet: 'Nothing has been published yet.',
  nothingFound: 'No post holds those words. Try fewer, or other ones.',
  noSuchPage: 'There is no such page of posts.',
  searchHeading: (words: string) => `Search results for “${words}”`,
  monthHeading: (month: string) => `Posts from ${month}`,
  termHeading: (kind: 'category' | 'tag', name: string) =>
    kind === 'category' ? `Posts filed under “${name}”` : `Posts tagged “${name}”`,
  pageTitle: (page: number) => `Page ${page}`,
  titleRequired: 'Please give the post a title.',
  bodyRequired: 'Please write the post.',
  slugInvalid:
    'The slug (the post’s address) may contain lower-case letters, digits and single hyphens, at most 100 characters.',
  slugTaken: 'Another post already uses this slug. Please choose another.',
  termsInvalid: (label: string) => `${label} must be names separated by commas (or, in the API, a list of names).`,
  tooManyTerms: (label: string, max: number) => `${label}: at most ${max} a post.`,
  kindInvalid: 'The kind must be "post" or "page".',
  embedNotEditable:
    'This is the comment thread of a page on another site: change its title or address on its own page in the admin area (Posts, then its title).',
  slugReserved: (slug: string) =>
    `A page cannot be at /${slug}: the site uses that address. Please choose another slug.`,
  statusInvalid: 'The status must be "draft", "scheduled" or "published".',
  dateInvalid: 'Enter the date and time as 2026-12-24T09:30 (or, in the API, an ISO time with its offset).',
  dateOutOfRange: 'Choose a date between the years 1970 and 9999.',
  scheduleNeedsDate: 'Choose when to publish the post.',
  scheduleInPast: 'That time has passed: choose a time in the future, or publish the post now.',
  publishedInFuture: 'That time is still to come: choose “Scheduled” to publish the post then, or clear the date.',
} as const;
