import { Router, type RequestHandler } from 'express';
import type { ArticlePage } from './article-page';
import { postMessages } from './posts-messages';
import type { PostsService } from './posts-service';

/** The public pages: the list of posts and each article. */
export function createPostsRouter({ posts, articlePage }: { posts: PostsService; articlePage: ArticlePage }): Router {
  // GET / — posts, newest first
  const listPosts: RequestHandler = async (_req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.render('posts/index', { title: null, posts: await posts.listNewestFirst(), emptyMessage: postMessages.noPostsYet });
  };

  // GET /posts/:slug — the article, its comments and the "Leave a Reply" form
  // (?replytocom=ID: the form replies to that comment, WordPress's no-JavaScript reply link;
  //  ?cpage=N: that page of top-level comments)
  const showPost: RequestHandler<{ slug: string }> = async (req, res) => {
    const number = (value: unknown): number | null => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : null);
    await articlePage.render(req, res, req.params.slug, { replyToId: number(req.query.replytocom), commentPage: number(req.query.cpage) ?? 1 });
  };

  const router = Router();
  router.get('/', listPosts);
  router.get('/posts/:slug', showPost);
  return router;
}
