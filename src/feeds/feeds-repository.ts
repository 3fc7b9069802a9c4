import type { Database } from '../db/database';
import type { PostRecord } from '../posts/posts-repository';

/** A published post as a feed shows it. */
export interface FeedPost extends Pick<
  PostRecord,
  'id' | 'slug' | 'title' | 'bodyHtml' | 'excerpt' | 'authorName' | 'publishedAt'
> {
  updatedAt: Date;
  /** Its categories' and tags' names. */
  terms: { term: { name: string } }[];
}

/** An approved comment as a feed shows it: nothing a moderator alone may see. */
export interface FeedComment {
  id: number;
  authorName: string;
  authorUrl: string | null;
  textHtml: string;
  createdAt: Date;
  /** embedUrl: the page on another site an embedded thread belongs to (null for our posts). */
  post: { slug: string; title: string; embedUrl: string | null };
}

const commentFields = {
  id: true,
  authorName: true,
  authorUrl: true,
  textHtml: true,
  createdAt: true,
  post: { select: { slug: true, title: true, embedUrl: true } },
} as const;

export type FeedsRepository = ReturnType<typeof createFeedsRepository>;

/** Reads for the feeds: published posts, approved comments, newest first. */
export function createFeedsRepository(db: Database) {
  return {
    async latestPosts(limit: number): Promise<FeedPost[]> {
      return db.post.findMany({
        where: { status: 'published', kind: 'post' },
        orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
        take: limit,
        select: {
          id: true,
          slug: true,
          title: true,
          bodyHtml: true,
          excerpt: true,
          authorName: true,
          publishedAt: true,
          updatedAt: true,
          terms: { select: { term: { select: { name: true } } } },
        },
      });
    },

    /** Every published post's and page's address and when it last changed, for the sitemap. */
    async publishedPostAddresses(): Promise<{ slug: string; kind: string; updatedAt: Date }[]> {
      return db.post.findMany({
        // An embedded page's thread lives on its own site: not ours to list.
        where: { status: 'published', kind: { in: ['post', 'page'] } },
        orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
        select: { slug: true, kind: true, updatedAt: true },
      });
    },

    /** The newest approved comments on published posts, site-wide. */
    async latestComments(limit: number): Promise<FeedComment[]> {
      return db.comment.findMany({
        // Our posts' comments and embedded pages' (not a standalone page's: it has none).
        where: { status: 'approved', erased: false, post: { status: 'published', kind: { in: ['post', 'embed'] } } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit,
        select: commentFields,
      });
    },

    /** The newest approved comments on one post. */
    async latestCommentsOn(postId: number, limit: number): Promise<FeedComment[]> {
      return db.comment.findMany({
        where: { postId, status: 'approved', erased: false },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit,
        select: commentFields,
      });
    },
  };
}
