// Where a post stands. Only a published post is public: on the home page, in feeds, at its address.

export const postStatuses = ['draft', 'scheduled', 'published'] as const;
export type PostStatus = (typeof postStatuses)[number];

export function isPostStatus(value: string): value is PostStatus {
  return (postStatuses as readonly string[]).includes(value);
}

/** How the admin area names each status. */
export const postStatusLabels: Record<PostStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  published: 'Published',
};

/** What a post is: one of the blog's posts, or a standalone page ("About") at /<slug>. */
export const postKinds = ['post', 'page'] as const;
export type PostKind = (typeof postKinds)[number];
/** The comment thread of a page on another site (src/embeds/): made by its first comment, never edited as a post. */
export const embedKind = 'embed';
/** What holds comments: a post, or an embedded page's thread. */
export const threadKinds: readonly string[] = ['post', embedKind];

/** Where a published post or page is read. */
export const postPath = (post: { slug: string; kind?: string }): string =>
  post.kind === 'page' ? `/${encodeURIComponent(post.slug)}` : `/posts/${encodeURIComponent(post.slug)}`;

/** First path segments the site answers itself: no page may take one as its address. */
export const reservedPageSlugs = new Set([
  'admin',
  'api',
  'assets',
  'archives',
  'comments',
  'feed',
  'healthz',
  'media',
  'moderate',
  'page',
  'posts',
  'subscriptions',
  'category',
  'tag',
]);

/**
 * A path as old addresses are stored and looked up: percent-encoded as a browser sends it, with
 * upper-case hex ("/caf%C3%A9/"), so an address imported and the same address asked for match.
 */
export function pathKey(path: string): string {
  const encoded = path.replace(/[^\x21-\x7E]/gu, (character) => encodeURIComponent(character));
  return encoded.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
}

/** A post's categories and tags: each named as written, addressed by its slug. */
export const termKinds = ['category', 'tag'] as const;
export type TermKind = (typeof termKinds)[number];

export interface TermRecord {
  name: string;
  slug: string;
}

/** The archive of a category or tag: /category/<slug>, /tag/<slug> (WordPress's addresses). */
export const termPath = (kind: TermKind, term: TermRecord): string => `/${kind}/${encodeURIComponent(term.slug)}`;
