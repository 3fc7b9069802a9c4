import { Router, type RequestHandler, type Response } from 'express';
import { NotFoundError } from '../errors';
import { homePageKey, toCachedPage, type PageCache } from '../http/page-cache';
import { numericParam } from '../http/route-params';
import { renderToString, sendSharedPage, type ArticlePage } from './article-page';
import { postMessages } from '../posts/posts-messages';
import type { PostsService } from '../posts/posts-service';

export interface PagesRouterDeps {
  posts: PostsService;
  articlePage: ArticlePage;
  pageCache: PageCache | null;
}

/** Sends the reader on (301) to where an old address of a post now is; false if it is no post's. */
async function redirectIfMoved(posts: PostsService, res: Response, path: string, query = ''): Promise<boolean> {
  const slug = await posts.movedTo(path);
  if (slug === null) return false;
  res.redirect(301, `/posts/${encodeURIComponent(slug)}${query}`);
  return true;
}

/** The public pages: the list of posts and each article. */
export function createPagesRouter({ posts, articlePage, pageCache }: PagesRouterDeps): Router {
  const renderHome = async (res: Response) =>
    renderToString(res, 'posts/index', {
      title: null,
      posts: await posts.listPublished(),
      emptyMessage: postMessages.noPostsYet,
    });

  // GET / — posts, newest first (the same for everyone, so kept in the page cache).
  // (?p=ID, ?page_id=ID: an imported WordPress post's plain permalink, redirected to the post.)
  const listPosts: RequestHandler = async (req, res) => {
    for (const name of ['p', 'page_id']) {
      const id = req.query[name];
      if (typeof id === 'string' && /^\d{1,18}$/.test(id) && (await redirectIfMoved(posts, res, `/?${name}=${id}`)))
        return;
    }
    const kept = pageCache?.get(homePageKey);
    if (kept) return sendSharedPage(req, res, kept);
    const html = await renderHome(res);
    sendSharedPage(
      req,
      res,
      pageCache ? pageCache.set(homePageKey, html) : toCachedPage(html, {}, { validated: false }),
    );
  };

  // GET /posts/:slug — the article, its comments and the "Leave a Reply" form
  // (?replytocom=ID: the form replies to that comment, WordPress's no-JavaScript reply link;
  //  ?cpage=N: that page of top-level comments). A renamed post's old address redirects for good.
  const showPost: RequestHandler<{ slug: string }> = async (req, res) => {
    const number = (value: unknown): number => numericParam(typeof value === 'string' ? value : undefined);
    try {
      await articlePage.render(req, res, req.params.slug, {
        replyToId: number(req.query.replytocom) || null,
        commentPage: number(req.query.cpage) || 1,
      });
    } catch (error) {
      const at = req.originalUrl.indexOf('?');
      const query = at === -1 ? '' : req.originalUrl.slice(at);
      if (error instanceof NotFoundError && (await redirectIfMoved(posts, res, `/posts/${req.params.slug}`, query)))
        return;
      throw error;
    }
  };

  const router = Router();
  router.get('/', listPosts);
  router.get('/posts/:slug', showPost);
  return router;
}

/**
 * Any other address that was once a post's (an imported WordPress permalink such as
 * /2023/05/a-week-in-lisbon/, with or without its last slash): a permanent redirect to the post.
 * Mounted last, for requests nothing else answered; the rest go on to "not found".
 */
export function createOldAddressesRouter({ posts }: Pick<PagesRouterDeps, 'posts'>): Router {
  const router = Router();
  router.get(/.*/, async (req, res, next) => {
    const path = req.path;
    if (path.length > 2000) return next();
    const alternative = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    if (await redirectIfMoved(posts, res, path)) return;
    if (alternative && (await redirectIfMoved(posts, res, alternative))) return;
    next();
  });
  return router;
}
