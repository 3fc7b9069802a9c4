import cors from 'cors';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { ValidationError } from '../errors';
import { commentMessages } from '../comments/comments-messages';
import {
  commentSubmissionSchema,
  formSignalsOf,
  formValuesOf,
  type CommentSubmission,
} from '../comments/comments-schema';
import type { CommentsService } from '../comments/comments-service';
import type { OwnCommentsService } from '../comments/own-comments-service';
import type { EmbedThread } from '../embeds/embeds-repository';
import { siteNotAllowedCode, type EmbedsService } from '../embeds/embeds-service';
import { normalizePageUrl, originOfPage } from '../embeds/page-address';
import { formBody } from '../http/body-parsers';
import { setRetryAfter, toAppError } from '../http/error-handler';
import { numericParam } from '../http/route-params';
import { onlyFromThisSite } from '../http/same-origin';
import { embeddableBy } from '../http/security-headers';
import { validateBody, validBody } from '../http/validate';
import { postPath } from '../posts/post-status';
import type { PostsService } from '../posts/posts-service';
import { embedSurface, type ArticlePage } from './article-page';
import type { CommenterCookies } from './commenter-cookies';
import { commentUrl, createCommentsRouter, submitterOfRequest } from './comments-routes';

export interface EmbedRouterDeps {
  embeds: EmbedsService;
  posts: PostsService;
  comments: CommentsService;
  ownComments: OwnCommentsService;
  /** The article page as embed.js's frame shows it. */
  embedArticlePage: ArticlePage;
  /** The commenter cookies as the frame writes them (partitioned). */
  embedCookies: CommenterCookies;
  submissionLimiter: RequestHandler;
  /** The fingerprinted address of a file of public/. */
  assetUrl: (name: string) => string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * Comment threads for pages on other sites (README, "Use it on a static site"): the loader of
 * embed.js, the thread in its frame (framed only by the allowed sites), the first comment that
 * makes a page's thread, and comment counts for the allowed sites' pages (CORS).
 */
export function createEmbedRouter({
  embeds,
  posts,
  comments,
  ownComments,
  embedArticlePage,
  embedCookies,
  submissionLimiter,
  assetUrl,
}: EmbedRouterDeps): Router {
  const validSubmission = validateBody(commentSubmissionSchema, commentMessages.malformed);
  const threadPath = (slug: string) => embedSurface.base(slug);

  // GET /embed.js — a short-lived address for the fingerprinted script, which is kept for a year.
  const loader: RequestHandler = (_req, res) => {
    res
      .set('Cache-Control', 'public, max-age=300')
      .set('Cross-Origin-Resource-Policy', 'cross-origin')
      .redirect(302, assetUrl('embed.js'));
  };

  // GET /api/embed/counts?url=…&url=… — approved comments of each page, by the address asked.
  // Readable by the allowed sites' pages (CORS); answered alike to anyone (the counts are public).
  const countsCors = cors({
    origin: (origin, done) => done(null, embeds.isAllowedOrigin(origin)),
    methods: ['GET'],
    maxAge: 600,
  });
  const counts: RequestHandler = async (req, res) => {
    // The answer differs by Origin (its CORS header): a shared cache must keep one per origin.
    res.vary('Origin');
    const urls = [req.query.url].flat().filter((url): url is string => typeof url === 'string');
    res.set('Cache-Control', 'public, max-age=60').json({ counts: await embeds.counts(urls) });
  };

  // GET /embed/thread?url=&title=&comment= — the page's thread in the frame: its own address once
  // it has one, else the form that will make it. A comment asked for opens at its place.
  const showThread: RequestHandler = async (req, res) => {
    const pageUrl = embeds.allowedPage(req.query.url);
    const thread = await embeds.findThread(pageUrl);
    // Opened as a page of its own (the placeholder's link, for readers without JavaScript): the
    // thread's article page on our site, as every post's.
    const ownPage = req.get('sec-fetch-dest') === 'document';
    if (!thread) {
      return embedArticlePage.renderNewThread(req, res, {
        url: pageUrl,
        title: text(req.query.title).slice(0, 300),
        ownPage,
      });
    }
    if (ownPage) return res.redirect(302, `/posts/${encodeURIComponent(thread.slug)}#comments`);
    const comment = numericParam(text(req.query.comment) || undefined);
    const scheme = /^(light|dark)$/.test(text(req.query.scheme)) ? `?scheme=${text(req.query.scheme)}` : '';
    res.set('Cache-Control', 'private, no-store');
    res.redirect(
      302,
      comment ? `${threadPath(thread.slug)}/comments/${comment}` : `${threadPath(thread.slug)}${scheme}`,
    );
  };

  // GET /embed/posts/:slug — an embedded thread in the frame (from the page cache, like our pages)
  const showEmbedded: RequestHandler<{ slug: string }> = async (req, res) => {
    // Opened outside the frame (a comment's link opened in a tab of its own): to the page it is
    // on, which opens the thread at the comment (the browser keeps the #comment-N).
    if (req.get('sec-fetch-dest') === 'document') {
      const post = await posts.getPublished(req.params.slug);
      // Only to a page of a site still allowed (an imported thread's address was never checked).
      const onItsPage = post.embedUrl && embeds.isAllowedOrigin(originOfPage(post.embedUrl));
      return res.redirect(302, onItsPage ? post.embedUrl! : postPath(post));
    }
    const number = (value: unknown): number => numericParam(typeof value === 'string' ? value : undefined);
    await embedArticlePage.render(req, res, req.params.slug, {
      replyToId: number(req.query.replytocom) || null,
      commentPage: number(req.query.cpage) || 1,
    });
  };

  // POST /embed/threads — a page's first comment, which makes its thread (the form's fields, and
  // page_url and page_title). A refused comment leaves no thread behind.
  const startThread: RequestHandler = async (req, res) => {
    const submission = validBody<CommentSubmission>(res);
    const body = req.body as Record<string, unknown>;
    const pageUrl = embeds.allowedPage(body.page_url);
    for (let attempt = 1; ; attempt += 1) {
      const { thread, created } = await embeds.startThread(pageUrl, text(body.page_title).slice(0, 300));
      try {
        await postFirstComment(req, res, submission, body, thread);
        return;
      } catch (error) {
        if (created) await embeds.discardIfEmpty(thread);
        // Taken back meanwhile by a refused comment that made it at the same moment: made again.
        else if (attempt === 1 && !(await embeds.findThread(pageUrl))) continue;
        throw error;
      }
    }
  };

  const postFirstComment = async (
    req: Request,
    res: Response,
    submission: CommentSubmission,
    body: Record<string, unknown>,
    thread: EmbedThread,
  ) => {
    const submitter = submitterOfRequest(req, embedCookies);
    const { comment, page } = await comments.postComment(thread.slug, submission, submitter, formSignalsOf(body));
    embedCookies.rememberOwnComment(req, res, comment.id);
    const details = { author: submission.author, email: submission.email, url: submission.url ?? '' };
    embedCookies.updateSavedDetails(req, res, details, submission['wp-comment-cookies-consent']);
    // Back to the frame; or, posted from the thread opened as a page of its own, to its article page.
    const base = body.own_page === '1' ? postPath(thread) : threadPath(thread.slug);
    res.redirect(303, commentUrl(thread.slug, comment.id, page, base));
  };

  // A refused first comment: the frame's form again, as typed, with why.
  const showNewThreadAgain: ErrorRequestHandler = async (error, req, res, next) => {
    const refusal = toAppError(error);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const pageUrl = normalizePageUrl(text(body.page_url));
    if (!refusal || !pageUrl || ![400, 403, 409, 422, 429, 503].includes(refusal.status)) return next(error);
    // A site not allowed gets no form to post again: the refusal alone.
    if (refusal.code === siteNotAllowedCode) return next(error);
    setRetryAfter(res, refusal);
    const summary = refusal instanceof ValidationError ? commentMessages.summary : refusal.message;
    const refused = { values: formValuesOf(body), errors: refusal.fields, summary };
    await embedArticlePage.renderNewThread(
      req,
      res,
      { url: pageUrl, title: text(body.page_title).slice(0, 300), ownPage: body.own_page === '1' },
      refused,
      refusal.status,
    );
  };

  const router = Router();
  router.get('/embed.js', loader);
  router.options('/api/embed/counts', countsCors);
  router.get('/api/embed/counts', countsCors, counts);
  router.use('/embed', embeddableBy(embeds.allowedOrigins));
  router.get('/embed/thread', showThread);
  router.post(
    '/embed/threads',
    // From our own frame (a browser's POST says where it comes from): not another site's form.
    onlyFromThisSite(commentMessages.notFromThisSite, { originRequired: true }),
    formBody,
    submissionLimiter,
    validSubmission,
    startThread,
    showNewThreadAgain,
  );
  router.get('/embed/posts/:slug', showEmbedded);
  router.use(
    '/embed',
    createCommentsRouter({
      comments,
      ownComments,
      articlePage: embedArticlePage,
      commenterCookies: embedCookies,
      submissionLimiter,
      threadBase: threadPath,
    }),
  );
  return router;
}
