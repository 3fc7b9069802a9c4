import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { NotFoundError, ValidationError } from '../errors';
import { setRetryAfter, toAppError } from '../http/error-handler';
import { formBody, jsonBody } from '../http/body-parsers';
import { onlyFromThisSite } from '../http/same-origin';
import { clientAddressOf, clientNetworkOf } from '../shared/client-network';
import { numericParam } from '../http/route-params';
import { validateBody, validBody } from '../http/validate';
import type { ArticlePage } from './article-page';
import type { CommenterCookies } from './commenter-cookies';
import type { OwnCommentsService } from '../comments/own-comments-service';
import { commentMessages as messages } from '../comments/comments-messages';
import type { PublicComment } from '../comments/comments-repository';
import {
  commentSubmissionSchema,
  formSignalsOf,
  formValuesOf,
  ownEditSchema,
  type CommentSubmission,
} from '../comments/comments-schema';
import type { CommentsService, SubmitterContext } from '../comments/comments-service';

export interface CommentsRouterDeps {
  comments: CommentsService;
  ownComments: OwnCommentsService;
  articlePage: ArticlePage;
  commenterCookies: CommenterCookies;
  /** One limiter shared by the form and the API: together they allow N submissions per window. */
  submissionLimiter: RequestHandler;
  /**
   * Where a thread's pages are: /posts/x (our own), or /embed/posts/x in embed.js's frame, whose
   * form and links must come back to the frame. The JSON API is served with our own pages only.
   */
  threadBase?: (slug: string) => string;
}

/**
 * Where a comment is shown: its post, on the right page of comments, at its anchor; with no page
 * known, its permalink, which finds the page when opened. `base`: the thread's address (our
 * article page's, or in embed.js's frame /embed/posts/x).
 */
export function commentUrl(
  slug: string,
  id: number,
  page: number | null = 1,
  base = `/posts/${encodeURIComponent(slug)}`,
): string {
  if (page === null) return `${base}/comments/${id}`;
  return `${base}${page > 1 ? `?cpage=${page}` : ''}#comment-${id}`;
}

/** Who sent a comment, as the checks need it: the address, network, browser and own comments. */
export function submitterOfRequest(req: Request, cookies: CommenterCookies): SubmitterContext {
  return {
    ipAddress: clientAddressOf(req.ip),
    network: clientNetworkOf(req.ip),
    userAgent: req.get('user-agent') ?? null,
    ownCommentIds: cookies.readOwnCommentIds(req),
  };
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
    byPostAuthor: comment.byPostAuthor,
    repliesLocked: comment.repliesLocked,
    deleted: comment.erased,
  };
}

/** Posting comments (the HTML form and the JSON API) and reading approved ones as JSON. */
export function createCommentsRouter({
  comments,
  ownComments,
  articlePage,
  commenterCookies,
  submissionLimiter,
  threadBase,
}: CommentsRouterDeps): Router {
  const validSubmission = validateBody(commentSubmissionSchema, messages.malformed);
  const base = threadBase ?? ((slug: string) => `/posts/${encodeURIComponent(slug)}`);
  /** commentUrl, on this router's pages. */
  const urlOf = (slug: string, id: number, page: number | null = 1) => commentUrl(slug, id, page, base(slug));

  const submitterOf = (req: Request) => submitterOfRequest(req, commenterCookies);

  // POST /posts/:slug/comments — the "Leave a Reply" form; post/redirect/get to the new comment
  const postFromForm: RequestHandler<{ slug: string }> = async (req, res) => {
    const submission = validBody<CommentSubmission>(res);
    const { comment, page } = await comments.postComment(
      req.params.slug,
      submission,
      submitterOf(req),
      formSignalsOf(req.body),
    );
    // Remembered whatever its status: the cookie is also what lets its author edit it for a while.
    commenterCookies.rememberOwnComment(req, res, comment.id);
    const details = { author: submission.author, email: submission.email, url: submission.url ?? '' };
    commenterCookies.updateSavedDetails(req, res, details, submission['wp-comment-cookies-consent']);
    res.redirect(303, urlOf(req.params.slug, comment.id, page));
  };

  // A refused form submission shows the article again with what was typed and why it was refused
  // (a busy database included: nothing was saved, and the reader should not lose their words).
  // Unknown posts (404), unreadable bodies (413, 415) and server faults go to the generic handler.
  const showFormAgain: ErrorRequestHandler<{ slug: string }> = async (error, req, res, next) => {
    const refusal = toAppError(error);
    if (!refusal || ![400, 403, 409, 422, 429, 503].includes(refusal.status)) return next(error);
    // A flood refusal or a busy database carries how long to wait; the page shown again says it too.
    setRetryAfter(res, refusal);
    const summary = refusal instanceof ValidationError ? messages.summary : refusal.message;
    const refused = { values: formValuesOf(req.body), errors: refusal.fields, summary };
    try {
      await articlePage.render(req, res, req.params.slug, { refused, status: refusal.status });
    } catch (renderError) {
      // The article cannot be read either (its database is unreachable): the form alone, as typed.
      if (toAppError(renderError)?.status !== 503 || res.headersSent) throw renderError;
      await articlePage.renderFormAlone(res, req.params.slug, refused, refusal.status);
    }
  };

  // POST /api/posts/:slug/comments — the same submission as JSON; 201 with the stored comment
  const postFromApi: RequestHandler<{ slug: string }> = async (req, res) => {
    const { comment, page } = await comments.postComment(
      req.params.slug,
      validBody<CommentSubmission>(res),
      submitterOf(req),
    );
    res
      .status(201)
      .location(commentUrl(req.params.slug, comment.id, page))
      .json({ comment: { ...toApiComment(comment), status: comment.status } });
  };

  // GET /posts/:slug/comments/:id — a comment's permalink: to the right page and anchor
  const permalink: RequestHandler<{ slug: string; id: string }> = async (req, res, next) => {
    const { slug, id } = req.params;
    const page = await comments.locate(slug, numericParam(id), commenterCookies.readOwnCommentIds(req));
    if (page === null) return next(new NotFoundError(messages.commentNotFound));
    res.redirect(302, urlOf(slug, numericParam(id), page));
  };

  // GET /posts/:slug/comments/:id/edit — the author's own edit form, within the edit window
  const showOwnEdit: RequestHandler<{ slug: string; id: string }> = async (req, res) => {
    const comment = await ownComments.getForEditing(
      req.params.slug,
      numericParam(req.params.id),
      commenterCookies.readOwnCommentIds(req),
    );
    res.set('Cache-Control', 'private, no-store');
    res.render('comments/edit', {
      title: 'Edit your comment',
      slug: req.params.slug,
      embedded: !!threadBase,
      comment,
      waitNotice: (await ownComments.editWaitsForModerator(comment)) ? messages.editWaitsForModerator : null,
      text: comment.text,
      error: null,
    });
  };

  // POST /posts/:slug/comments/:id/edit — save the author's new text
  const saveOwnEdit: RequestHandler<{ slug: string; id: string }> = async (req, res) => {
    const { slug, id } = req.params;
    const ownIds = commenterCookies.readOwnCommentIds(req);
    await ownComments.editOwn(slug, numericParam(id), ownIds, validBody<{ comment: string }>(res).comment);
    res.redirect(303, `${base(slug)}/comments/${numericParam(id)}`);
  };

  // A refused edit (or a busy database) shows the edit form again with the new text as typed.
  const showOwnEditAgain: ErrorRequestHandler<{ slug: string; id: string }> = async (error, req, res, next) => {
    const refusal = toAppError(error);
    if (!refusal || ![400, 422, 503].includes(refusal.status)) return next(error);
    const comment = await ownComments.getForEditing(
      req.params.slug,
      numericParam(req.params.id),
      commenterCookies.readOwnCommentIds(req),
    );
    setRetryAfter(res, refusal);
    res.status(refusal.status).set('Cache-Control', 'private, no-store');
    res.render('comments/edit', {
      title: 'Edit your comment',
      slug: req.params.slug,
      embedded: !!threadBase,
      comment,
      waitNotice: (await ownComments.editWaitsForModerator(comment)) ? messages.editWaitsForModerator : null,
      text: formValuesOf(req.body).comment,
      error: refusal.fields.comment ?? refusal.message,
    });
  };

  // POST /posts/:slug/comments/:id/delete — the author deletes their own comment, within the edit window
  const deleteOwn: RequestHandler<{ slug: string; id: string }> = async (req, res) => {
    await ownComments.deleteOwn(req.params.slug, numericParam(req.params.id), commenterCookies.readOwnCommentIds(req));
    res.redirect(303, `${base(req.params.slug)}#comments`);
  };

  // GET /api/posts/:slug/comments — approved comments, oldest first
  const listApproved: RequestHandler<{ slug: string }> = async (req, res) => {
    res.json({ comments: (await comments.listApproved(req.params.slug)).map(toApiComment) });
  };

  const router = Router();
  router.post('/posts/:slug/comments', formBody, submissionLimiter, validSubmission, postFromForm, showFormAgain);
  if (!threadBase) {
    router.post('/api/posts/:slug/comments', jsonBody, submissionLimiter, validSubmission, postFromApi);
    router.get('/api/posts/:slug/comments', listApproved);
  }
  router.get('/posts/:slug/comments/:id', permalink);
  // The own-comments cookie is SameSite=Lax, so a cross-site form cannot act on the author's
  // behalf; a page on a sibling subdomain or another port could, so changes must come from ours.
  const fromOurPages = onlyFromThisSite(messages.notFromThisSite);
  router.get('/posts/:slug/comments/:id/edit', showOwnEdit);
  router.post(
    '/posts/:slug/comments/:id/edit',
    fromOurPages,
    formBody,
    validateBody(ownEditSchema, messages.malformed),
    saveOwnEdit,
    showOwnEditAgain,
  );
  router.post('/posts/:slug/comments/:id/delete', fromOurPages, formBody, deleteOwn);
  return router;
}
