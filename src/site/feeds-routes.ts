import { Router, type Request, type RequestHandler, type Response } from 'express';
import { feedContentTypes, type FeedFormat, type FeedSite } from '../feeds/feed-documents';
import type { FeedsService } from '../feeds/feeds-service';
import {
  listPageKey,
  postFeedKey,
  siteFeedKey,
  toCachedPage,
  type CachedPage,
  type PageCache,
} from '../http/page-cache';
import { sharedPageCacheControl, writeSharedPage } from '../http/shared-page-response';
import type { Clock } from '../shared/clock';
import { BadRequestError } from '../errors';
import { httpMessages } from '../http/http-messages';

export interface FeedsRouterDeps {
  feeds: FeedsService;
  pageCache: PageCache | null;
  clock: Clock;
  /** The blog's title and tagline now (they can change in the admin area). */
  site: () => { title: string; tagline: string };
  /** PUBLIC_URL: the feeds' absolute links. Unset, they are made from each request's address, and never kept. */
  publicUrl: string | null;
}

/**
 * What programs read: the sitemap, robots.txt, and the feeds, in RSS 2.0 and Atom, at WordPress's
 * addresses: /feed (posts), /comments/feed (the newest approved comments), /posts/:slug/feed (one
 * post's); "/atom" after any of them for Atom. Kept in the page cache until what they show
 * changes, and validated (ETag, Last-Modified).
 */
export function createFeedsRouter({ feeds, pageCache, clock, site, publicUrl }: FeedsRouterDeps): Router {
  /**
   * The feeds' site: its origin PUBLIC_URL, or else this request's own address (a host name or
   * address and port only: anything else in a Host header is refused).
   */
  const siteFor = (req: Request): FeedSite => {
    const { title, tagline } = site();
    if (publicUrl) return { title, tagline, origin: publicUrl };
    const host = req.get('host') ?? '';
    if (!/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(host)) throw new BadRequestError(httpMessages.badHost);
    return { title, tagline, origin: `${req.protocol}://${host}` };
  };
  // Made from the request's address, a feed is for that request alone: never kept by a proxy.
  const cacheControl = publicUrl ? sharedPageCacheControl : 'private, no-cache';
  // When each feed last changed here, by its content: the same content keeps its date (a feed made
  // again, not kept, is not newer), and changed content is dated after the last, so If-Modified-Since
  // cannot mistake a feed changed within the same second for the old one.
  const lastChanged = new Map<string, { contentHash: string | null; at: number }>();
  const changedAt = (key: string, page: CachedPage): number => {
    const last = lastChanged.get(key);
    if (last && last.contentHash === page.contentHash) return last.at;
    const at = Math.max(Math.floor(clock.now().getTime() / 1000) * 1000, (last?.at ?? 0) + 1000);
    lastChanged.set(key, { contentHash: page.contentHash, at });
    return at;
  };

  const sendFeed = async (
    req: Request,
    res: Response,
    format: FeedFormat | 'sitemap',
    key: string,
    make: (site: FeedSite) => Promise<string>,
  ): Promise<void> => {
    const cache = publicUrl ? pageCache : null;
    let page: CachedPage | undefined = cache?.get(key);
    if (!page) {
      const xml = await make(siteFor(req));
      page = cache ? cache.set(key, xml) : toCachedPage(xml);
      page.lastModified = changedAt(key, page);
    }
    writeSharedPage(
      req,
      res,
      page,
      {
        'Content-Type': format === 'sitemap' ? 'application/xml; charset=utf-8' : feedContentTypes[format],
        'Cache-Control': cacheControl,
      },
      null,
    );
  };

  const formatOf = (req: Request): FeedFormat =>
    req.path.endsWith('/atom') || req.path.endsWith('/atom/') ? 'atom' : 'rss';

  // GET /feed, /feed/atom — the newest posts
  const postsFeed: RequestHandler = async (req, res) => {
    const format = formatOf(req);
    await sendFeed(req, res, format, siteFeedKey('posts', format), (s) => feeds.posts(s, format));
  };

  // GET /comments/feed, /comments/feed/atom — the newest approved comments, site-wide
  const commentsFeed: RequestHandler = async (req, res) => {
    const format = formatOf(req);
    await sendFeed(req, res, format, siteFeedKey('comments', format), (s) => feeds.comments(s, format));
  };

  // GET /posts/:slug/feed, /posts/:slug/feed/atom — one post's approved comments
  const postCommentsFeed: RequestHandler<{ slug: string }> = async (req, res) => {
    const format = formatOf(req);
    const { slug } = req.params;
    await sendFeed(req, res, format, postFeedKey(slug, format), (s) => feeds.commentsOn(s, slug, format));
  };

  // GET /sitemap.xml — the home page and every published post, for search engines
  const sitemap: RequestHandler = async (req, res) => {
    await sendFeed(req, res, 'sitemap', listPageKey('sitemap'), (s) => feeds.sitemap(s));
  };

  // GET /robots.txt — everything but the admin area may be crawled; where the sitemap is
  const robots: RequestHandler = (req, res) => {
    res
      .type('text/plain')
      .set('Cache-Control', publicUrl ? 'public, max-age=3600' : 'private, no-cache')
      .send(`User-agent: *\nDisallow: /admin/\n\nSitemap: ${siteFor(req).origin}/sitemap.xml\n`);
  };

  const router = Router();
  router.get('/sitemap.xml', sitemap);
  router.get('/robots.txt', robots);
  router.get(['/feed', '/feed/rss2', '/feed/atom'], postsFeed);
  router.get(['/comments/feed', '/comments/feed/rss2', '/comments/feed/atom'], commentsFeed);
  router.get(['/posts/:slug/feed', '/posts/:slug/feed/rss2', '/posts/:slug/feed/atom'], postCommentsFeed);
  return router;
}
