import type { PostsService } from '../posts/posts-service';
import { commentsFeed, postsFeed, type FeedFormat, type FeedSite } from './feed-documents';
import { sitemapDocument } from './sitemap-document';
import type { FeedsRepository } from './feeds-repository';

/** How many entries a feed holds, newest first. */
export const feedLengths = { posts: 20, comments: 50 } as const;

export type FeedsService = ReturnType<typeof createFeedsService>;

/** The site's feeds as XML documents: posts, comments site-wide, one post's comments. */
export function createFeedsService({ repo, posts }: { repo: FeedsRepository; posts: PostsService }) {
  return {
    async posts(site: FeedSite, format: FeedFormat): Promise<string> {
      return postsFeed(site, await repo.latestPosts(feedLengths.posts), format);
    },

    async comments(site: FeedSite, format: FeedFormat): Promise<string> {
      return commentsFeed(site, await repo.latestComments(feedLengths.comments), null, format);
    },

    /** The sitemap: the home page and every published post. */
    async sitemap(site: FeedSite): Promise<string> {
      return sitemapDocument(site.origin, await repo.publishedPostAddresses());
    },

    /** One published post's approved comments; a NotFoundError for any other slug. */
    async commentsOn(site: FeedSite, slug: string, format: FeedFormat): Promise<string> {
      const post = await posts.getPublished(slug);
      return commentsFeed(site, await repo.latestCommentsOn(post.id, feedLengths.comments), post, format);
    },
  };
}
