import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { AppError, ValidationError } from '../errors';
import { formBody, jsonBody } from '../http/body-parsers';
import { validateBody, validBody } from '../http/validate';
import type { ArticlePage } from '../posts/article-page';
import type { CommenterCookies } from './commenter-cookies';
import { commentMessages as messages } from './comments-messages';
import type { PublicComment } from './comments-repository';
import { commentSubmissionSchema, formValuesOf, type CommentSubmission } from './comments-schema';
import type { CommentsService, SubmitterContext } from './comments-service';

export interface CommentsRouterDeps {
  comments: CommentsService;
  articlePage: ArticlePage;
  commenterCookies: CommenterCookies;
  /** One limiter shared by the form and the API: together they allow N submissions per window. */
  submissionLimiter: RequestHandler;
}

const commentUrl = (slug: string, id: number): string => `/posts/${encodeURIComponent(slug)}#comment-${id}`;

function submitterOf(req: Request): SubmitterContext {
  return { ipAddress: req.ip ?? null, userAgent: req.get('user-agent') ?? null };
}

/** A comment as the public API shows it: never email, IP or user agent. */
function toApiComment(comment: PublicComment) {
  return {
    id: comment.id,
    parentId: comment.parentId,
    authorName: comment.authorName,
    authorUrl: comment.authorUrl,
    text: comment.text,
    html: comment.textHtml,
    createdAt: comment.createdAt.toISOString(),
  };
}

/** Posting comments (the HTML form and the JSON API) and reading approved ones as JSON. */
export function createCommentsRouter({ comments, articlePage, commenterCookies, submissionLimiter }: CommentsRouterDeps): Router {
  const validSubmission = validateBody(commentSubmissionSchema, messages.malformed);

  // POST /posts/:slug/comments — the "Leave a Reply" form; post/redirect/get to the new comment
  const postFromForm: RequestHandler<{ slug: string }> = async (req, res) => {
    const submission = validBody<CommentSubmission>(res);
    const { comment } = await comments.postComment(req.params.slug, submission, submitterOf(req));
    if (comment.status !== 'approved') commenterCookies.rememberOwnComment(req, res, comment.id);
    const details = { author: submission.author, email: submission.email, url: submission.url ?? '' };
    commenterCookies.updateSavedDetails(req, res, details, submission['wp-comment-cookies-consent']);
    res.redirect(303, commentUrl(req.params.slug, comment.id));
  };

  // A refused form submission shows the article again with what was typed and why it was refused.
  // Unknown posts (404), unreadable bodies (413, 415) and server faults go to the generic handler.
  const showFormAgain: ErrorRequestHandler<{ slug: string }> = async (error, req, res, next) => {
    const canShowForm = error instanceof AppError && [400, 403, 409, 422, 429].includes(error.status);
    if (!canShowForm) return next(error);
    const summary = error instanceof ValidationError ? messages.summary : error.message;
    await articlePage.render(req, res, req.params.slug, {
      refused: { values: formValuesOf(req.body), errors: error.fields, summary },
      status: error.status,
    });
  };

  // POST /api/posts/:slug/comments — the same submission as JSON; 201 with the stored comment
  const postFromApi: RequestHandler<{ slug: string }> = async (req, res) => {
    const { comment } = await comments.postComment(req.params.slug, validBody<CommentSubmission>(res), submitterOf(req));
    res.status(201).location(commentUrl(req.params.slug, comment.id)).json({ comment: { ...toApiComment(comment), status: comment.status } });
  };

  // GET /api/posts/:slug/comments — approved comments, oldest first
  const listApproved: RequestHandler<{ slug: string }> = async (req, res) => {
    res.json({ comments: (await comments.listApproved(req.params.slug)).map(toApiComment) });
  };

  const router = Router();
  router.post('/posts/:slug/comments', formBody, submissionLimiter, validSubmission, postFromForm, showFormAgain);
  router.post('/api/posts/:slug/comments', jsonBody, submissionLimiter, validSubmission, postFromApi);
  router.get('/api/posts/:slug/comments', listApproved);
  return router;
}
