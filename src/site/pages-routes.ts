import { Router, type RequestHandler, type Response } from 'express';
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

/** The public pages: the list of posts and each article. */
export function createPagesRouter({ posts, articlePage, pageCache }: PagesRouterDeps): Router {
  const renderHome = async (res: Response) =>
    renderToString(res, 'posts/index', {
      title: null,
      posts: await posts.listNewestFirst(),
      emptyMessage: postMessages.noPostsYet,
    });

  // GET / — posts, newest first (the same for everyone, so kept in the page cache)
  const listPosts: RequestHandler = async (req, res) => {
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
  //  ?cpage=N: that page of top-level comments)
  const showPost: RequestHandler<{ slug: string }> = async (req, res) => {
    const number = (value: unknown): number => numericParam(typeof value === 'string' ? value : undefined);
    await articlePage.render(req, res, req.params.slug, {
      replyToId: number(req.query.replytocom) || null,
      commentPage: number(req.query.cpage) || 1,
    });
  };

  const router = Router();
  router.get('/', listPosts);
  router.get('/posts/:slug', showPost);
  return router;
}
