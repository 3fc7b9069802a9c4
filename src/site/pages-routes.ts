import {
  Router,
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { NotFoundError } from '../errors';
import { homePageKey, listPageKey, toCachedPage, type PageCache } from '../http/page-cache';
import { monthName } from '../shared/site-time-zone';
import { numericParam } from '../http/route-params';
import { renderToString, sendSharedPage, type ArticlePage } from './article-page';
import { postMessages } from '../posts/posts-messages';
import { pathKey, postPath, reservedPageSlugs, termPath, type TermKind } from '../posts/post-status';
import { slugPattern } from '../posts/posts-schema';
import type { PostsPage, PostsService } from '../posts/posts-service';
import type { PostRecord } from '../posts/posts-repository';

export interface PagesRouterDeps {
  posts: PostsService;
  articlePage: ArticlePage;
  pageCache: PageCache | null;
}

/** Sends the reader on (301) to where an old address of a post now is; false if it is no post's. */
async function redirectIfMoved(posts: PostsService, res: Response, path: string): Promise<boolean> {
  const address = await posts.movedTo(path);
  if (address === null) return false;
  res.redirect(301, address);
  return true;
}

/** The published page at `slug`, or null (a post, or nothing, is there); other errors go on. */
function publishedPage(posts: PostsService, slug: string): Promise<PostRecord | null> {
  return posts.getPublished(slug, 'page').catch((error: unknown) => {
    if (error instanceof NotFoundError) return null;
    throw error;
  });
}

/** Where a list of posts is, for its page links: "/", "/2026/12", or "/" with ?s= for a search. */
interface ListPlace {
  base: string;
  query: string;
}

const pageNumber = (value: string | undefined): number | null => {
  if (value === undefined) return 1;
  const page = numericParam(value);
  return page >= 1 ? page : null;
};

/** The public pages: the lists of posts (home, archives, search) and each article. */
export function createPagesRouter({ posts, articlePage, pageCache }: PagesRouterDeps): Router {
  /** Sends a list of posts, kept under `key` (null: not kept). A page past the last is a 404. */
  const sendList = async (
    req: Request,
    res: Response,
    key: string | null,
    render: () => Promise<{
      list: PostsPage;
      heading: string | null;
      title: string | null;
      place: ListPlace;
      searchWords?: string;
    }>,
  ) => {
    const kept = key ? pageCache?.get(key) : undefined;
    if (kept) return sendSharedPage(req, res, kept);
    const { list, heading, title, place, searchWords } = await render();
    if (list.page > list.pages) throw new NotFoundError(postMessages.noSuchPage);
    const html = await renderToString(res, 'posts/index', {
      title,
      heading,
      posts: list.posts,
      pagination: { ...list, ...place },
      emptyMessage: searchWords ? postMessages.nothingFound : postMessages.noPostsYet,
      searchWords,
      // A search's results are not a page of their own to index.
      canonicalPath: searchWords
        ? null
        : list.page === 1
          ? place.base
          : `${place.base === '/' ? '' : place.base}/page/${list.page}`,
    });
    sendSharedPage(
      req,
      res,
      pageCache && key ? pageCache.set(key, html) : toCachedPage(html, {}, { validated: false }),
    );
  };

  // GET /, /page/:n — posts, newest first (the same for everyone, so kept in the page cache).
  // ?s=words: the posts whose title or text holds them (WordPress's search; not kept).
  // ?p=ID, ?page_id=ID: an imported WordPress post's plain permalink, redirected to the post.
  const listPosts: RequestHandler<{ page?: string }> = async (req, res, next) => {
    for (const name of ['p', 'page_id']) {
      const id = req.query[name];
      if (typeof id === 'string' && /^\d{1,18}$/.test(id) && (await redirectIfMoved(posts, res, `/?${name}=${id}`)))
        return;
    }
    const page = pageNumber(req.params.page);
    if (page === null) return next();
    const words = typeof req.query.s === 'string' ? req.query.s.trim().slice(0, 200) : '';
    if (words) {
      return sendList(req, res, null, async () => ({
        list: await posts.search(words, page),
        heading: postMessages.searchHeading(words),
        title: postMessages.searchHeading(words),
        place: { base: '/', query: `?s=${encodeURIComponent(words)}` },
        searchWords: words,
      }));
    }
    await sendList(req, res, page === 1 ? homePageKey : listPageKey('home', page), async () => ({
      list: await posts.listPublished(page),
      heading: null,
      title: page === 1 ? null : postMessages.pageTitle(page),
      place: { base: '/', query: '' },
    }));
  };

  // GET /:year/:month, /:year/:month/page/:n — the posts published in a month (in TIME_ZONE)
  const listMonth: RequestHandler<{ year: string; month: string; page?: string }> = async (req, res, next) => {
    const { year, month } = req.params;
    const page = pageNumber(req.params.page);
    if (!/^\d{4}$/.test(year) || !/^\d{2}$/.test(month) || page === null) return next();
    const list = await posts.listMonth(Number(year), Number(month), page);
    // A month without posts is no page (and so not one more page to keep).
    if (!list || list.total === 0) return next();
    const name = monthName(Number(year), Number(month));
    await sendList(req, res, listPageKey('month', year, month, page), () =>
      Promise.resolve({
        list,
        heading: postMessages.monthHeading(name),
        title: name,
        place: { base: `/${year}/${month}`, query: '' },
      }),
    );
  };

  // GET /category/:slug, /tag/:slug (and /page/:n) — the posts filed under a category or tag
  const listTerm =
    (kind: TermKind): RequestHandler<{ slug: string; page?: string }> =>
    async (req, res, next) => {
      const page = pageNumber(req.params.page);
      if (page === null || !slugPattern.test(req.params.slug)) return next();
      const found = await posts.listTerm(kind, req.params.slug, page);
      if (!found) return next();
      const heading = postMessages.termHeading(kind, found.term.name);
      await sendList(req, res, listPageKey(kind, found.term.slug, page), () =>
        Promise.resolve({
          list: found.list,
          heading,
          title: heading,
          place: { base: termPath(kind, found.term), query: '' },
        }),
      );
    };

  // GET /archives — every month with posts, and how many
  const archives: RequestHandler = async (req, res) => {
    const key = listPageKey('archives');
    const kept = pageCache?.get(key);
    if (kept) return sendSharedPage(req, res, kept);
    const html = await renderToString(res, 'posts/archives', {
      title: 'Archives',
      canonicalPath: '/archives',
      months: await posts.archiveMonths(),
      emptyMessage: postMessages.noPostsYet,
    });
    sendSharedPage(req, res, pageCache ? pageCache.set(key, html) : toCachedPage(html, {}, { validated: false }));
  };

  // GET /posts/:slug — the article, its comments and the "Leave a Reply" form
  // (?replytocom=ID: the form replies to that comment, WordPress's no-JavaScript reply link;
  //  ?cpage=N: that page of top-level comments). A renamed post's old address redirects for good.
  const showPost: RequestHandler<{ slug: string }> = async (req, res) => {
    const number = (value: unknown): number => numericParam(typeof value === 'string' ? value : undefined);
    const page = await publishedPage(posts, req.params.slug);
    if (page) return res.redirect(301, postPath(page));
    await articlePage.render(req, res, req.params.slug, {
      replyToId: number(req.query.replytocom) || null,
      commentPage: number(req.query.cpage) || 1,
    });
  };

  // GET /:slug — a standalone page ("About"); anything else at one segment goes on
  const showStandalone: RequestHandler<{ slug: string }> = async (req, res, next) => {
    const { slug } = req.params;
    if (!slugPattern.test(slug) || reservedPageSlugs.has(slug)) return next();
    const page = await publishedPage(posts, slug);
    if (!page) return next();
    await articlePage.renderStandalone(req, res, page);
  };

  const router = Router();
  router.get(['/', '/page/:page'], listPosts);
  router.get('/archives', archives);
  router.get(['/category/:slug', '/category/:slug/page/:page'], listTerm('category'));
  router.get(['/tag/:slug', '/tag/:slug/page/:page'], listTerm('tag'));
  router.get(['/:year/:month', '/:year/:month/page/:page'], listMonth);
  router.get('/posts/:slug', showPost);
  router.get('/:slug', showStandalone);
  return router;
}

/**
 * An address that was once a post's (an imported WordPress permalink such as
 * /2023/05/a-week-in-lisbon/, with or without its last slash; a renamed post's old address and
 * those under it, its feed or a comment's permalink in a mail sent before): a permanent redirect
 * to where it is now. Asked only of a GET or HEAD that found nothing (a 404), before it is answered.
 */
export function redirectOldAddresses({ posts }: Pick<PagesRouterDeps, 'posts'>): ErrorRequestHandler {
  const find = async (path: string): Promise<string | null> => {
    const alternative = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    const moved = (await posts.movedTo(path)) ?? (alternative ? await posts.movedTo(alternative) : null);
    if (moved !== null) return moved;
    const under = /^(\/posts\/[^/]+)(\/.+)$/.exec(path);
    const post = under ? await posts.movedTo(under[1]!) : null;
    return post?.startsWith('/posts/') ? `${post}${under![2]}` : null;
  };
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof NotFoundError) || (req.method !== 'GET' && req.method !== 'HEAD')) return next(error);
    const path = pathKey(req.path);
    if (path.length > 2000 || res.headersSent) return next(error);
    find(path).then(
      (to) => {
        if (to === null) return next(error);
        const at = req.originalUrl.indexOf('?');
        res.redirect(301, `${to}${at === -1 ? '' : req.originalUrl.slice(at)}`);
      },
      () => next(error),
    );
  };
}
