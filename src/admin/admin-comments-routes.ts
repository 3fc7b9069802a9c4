import { Router, type Request, type RequestHandler, type Response } from 'express';
import { commentStatuses } from '../shared/comment-status';
import { authorReplySchema, commentEditSchema, type CommentEdit } from '../comments/comments-schema';
import { postLimits } from '../posts/posts-schema';
import { BadRequestError } from '../errors';
import { validateBody, validBody } from '../http/validate';
import { moderationMessages } from '../moderation/moderation-messages';
import { describeOutcome, type ModerationService } from '../moderation/moderation-service';
import type { PostsService } from '../posts/posts-service';
import { adminFormBody, numericId, redirectWithFlash, showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { commentListQuerySchema, maxSearchLength, moderationFormSchema, safeAdminReturn } from './admin-schemas';
import { verifyAdminForm } from './admin-session';

export interface AdminCommentsDeps {
  moderation: ModerationService;
  posts: PostsService;
  /** The name the author's replies carry (DISPLAY_NAME); unset, their user name. */
  displayName: () => string | null;
}

const actorOf = (req: Request): string => `moderator:${req.session.user ?? 'unknown'}`;

/** Where a reply form goes back to: an admin page, or the post it was opened from. */
const replyReturn = (target: string | undefined): string =>
  target && target.length <= 7 + postLimits.slug && /^\/posts\/[a-z0-9]+(?:-[a-z0-9]+)*$/.test(target)
    ? target
    : safeAdminReturn(target);

/** The comment page's pin and lock buttons: what each changes, and what the moderator is told. */
const threadActions: Record<string, { change: { pinned?: boolean; repliesLocked?: boolean }; done: string }> = {
  pin: { change: { pinned: true }, done: moderationMessages.pinned },
  unpin: { change: { pinned: false }, done: moderationMessages.unpinned },
  lock: { change: { repliesLocked: true }, done: moderationMessages.locked },
  unlock: { change: { repliesLocked: false }, done: moderationMessages.unlocked },
};

/** The moderation queue: dashboard, comment list with actions, edit, delete. */
export function createAdminCommentsRouter({ moderation, posts, displayName }: AdminCommentsDeps): Router {
  const displayNameOf = (req: Request): string => displayName() ?? req.session.user ?? 'The author';

  // GET /admin — counts by status, newest pending first
  const dashboard: RequestHandler = async (req, res) => {
    const [counts, pending] = await Promise.all([moderation.counts(), moderation.list({ status: 'pending' }, 1)]);
    res.render('admin/dashboard', { title: 'Dashboard', counts, pending: pending.comments, returnTo: req.originalUrl });
  };

  // GET /admin/comments?status=&post=&q=&page= — the filtered, paginated list
  const listComments: RequestHandler = async (req, res) => {
    const parsed = commentListQuerySchema.safeParse(req.query);
    // A search that cannot be run is shown again as typed, with why, and nothing listed.
    const searchError = parsed.success ? null : (parsed.error.issues[0]?.message ?? adminMessages.searchOnce);
    const query = parsed.success ? parsed.data : { ...commentListQuerySchema.parse({ ...req.query, q: undefined }) };
    const typed = [req.query.q].flat()[0];
    const [result, counts, allPosts] = await Promise.all([
      searchError
        ? { comments: [], total: 0, page: 1, pages: 1 }
        : moderation.list({ status: query.status, postId: query.post, q: query.q }, query.page),
      moderation.counts(),
      posts.listAll(),
    ]);
    if (result.page > result.pages) {
      // Past the last page (comments were moderated away meanwhile): to the last one.
      const { status, post, q } = query;
      const params = new URLSearchParams(
        Object.entries({ status, post, q, page: result.pages > 1 ? result.pages : undefined }).flatMap(
          ([key, value]) => (value === undefined || value === '' ? [] : [[key, String(value)] as [string, string]]),
        ),
      );
      return res.redirect(302, `/admin/comments${params.size > 0 ? `?${params.toString()}` : ''}`);
    }
    res.status(searchError ? 400 : 200).render('admin/comments', {
      title: 'Comments',
      query: { ...query, q: searchError ? (typeof typed === 'string' ? typed : '') : query.q },
      searchError,
      maxSearchLength,
      result,
      // The counts are the whole queue's: beside a search or a post, they would read as its.
      counts: query.q || query.post || searchError ? null : counts,
      posts: allPosts,
      statuses: commentStatuses,
      returnTo: req.originalUrl,
    });
  };

  // POST /admin/comments/moderate — one row's button, or the bulk action on the ticked rows
  const moderate: RequestHandler = async (req, res, next) => {
    const form = moderationFormSchema.parse(req.body);
    const returnTo = safeAdminReturn(form.returnTo);
    if (!form.action) throw new BadRequestError(adminMessages.unknownAction);
    if (form.ids.length === 0) return redirectWithFlash(req, res, next, returnTo, adminMessages.noneSelected);
    const changed = await moderation.apply(form.action, form.ids, actorOf(req));
    redirectWithFlash(req, res, next, returnTo, describeOutcome(form.action, changed));
  };

  const renderEdit = async (
    req: Request<{ id: string }>,
    res: Response,
    refused?: { values: Record<string, string>; errors: Record<string, string> },
  ) => {
    const comment = await moderation.getComment(numericId(req));
    const values = refused?.values ?? {
      comment: comment.text,
      author: comment.authorName,
      email: comment.authorEmail,
      url: comment.authorUrl ?? '',
    };
    res.render('admin/comment-edit', {
      title: `Edit comment ${comment.id}`,
      comment,
      values,
      errors: refused?.errors ?? {},
      returnTo: safeAdminReturn(typeof req.query.return === 'string' ? req.query.return : values.return),
    });
  };

  // GET /admin/comments/:id/edit — the edit form and the comment's status history
  const showEdit: RequestHandler<{ id: string }> = (req, res) => renderEdit(req, res);

  // POST /admin/comments/:id/edit — save name, email, website and text (the public form's rules)
  const saveEdit: RequestHandler<{ id: string }> = async (req, res, next) => {
    const edit = validBody<CommentEdit>(res);
    await moderation.edit(numericId(req), edit);
    redirectWithFlash(req, res, next, safeAdminReturn(typedValues(req.body).return), adminMessages.commentSaved);
  };

  const renderReply = async (
    req: Request<{ id: string }>,
    res: Response,
    refused?: { values: Record<string, string>; errors: Record<string, string> },
  ) => {
    const comment = await moderation.getComment(numericId(req));
    res.render('admin/comment-reply', {
      title: `Reply to ${comment.authorName}`,
      comment,
      authorName: displayNameOf(req),
      values: refused?.values ?? { comment: '' },
      errors: refused?.errors ?? {},
      returnTo: replyReturn(typeof req.query.return === 'string' ? req.query.return : refused?.values.return),
    });
  };

  // GET /admin/comments/:id/reply — answer a comment as the post's author
  const showReply: RequestHandler<{ id: string }> = (req, res) => renderReply(req, res);

  // POST /admin/comments/:id/reply — publish the reply (approving a comment still waiting)
  const saveReply: RequestHandler<{ id: string }> = async (req, res, next) => {
    const { comment } = validBody<{ comment: string }>(res);
    const id = await moderation.replyAsAuthor(numericId(req), comment, displayNameOf(req), actorOf(req));
    const back = replyReturn(typedValues(req.body).return);
    // From the post page: back to it, at the reply (its permalink finds the page it is on).
    if (back.startsWith('/posts/')) return res.redirect(303, `${back}/comments/${id}`);
    redirectWithFlash(req, res, next, back, moderationMessages.replyPublished);
  };

  // POST /admin/comments/:id/thread — action: pin | unpin | lock | unlock
  const setThreadFlags: RequestHandler<{ id: string }> = async (req, res, next) => {
    const action = typedValues(req.body).action;
    const flags = action && Object.hasOwn(threadActions, action) ? threadActions[action] : undefined;
    if (!flags) throw new BadRequestError(adminMessages.unknownAction);
    await moderation.setThreadFlags(numericId(req), flags.change);
    redirectWithFlash(req, res, next, `/admin/comments/${numericId(req)}/edit`, flags.done);
  };

  // GET /admin/comments/:id/delete — "Delete permanently?" (only from trash or spam)
  const confirmDelete: RequestHandler<{ id: string }> = async (req, res, next) => {
    const comment = await moderation.getComment(numericId(req));
    const returnTo = safeAdminReturn(typeof req.query.return === 'string' ? req.query.return : undefined);
    if (comment.status !== 'trash' && comment.status !== 'spam')
      return redirectWithFlash(req, res, next, returnTo, moderationMessages.deleteOnlyFromTrash);
    res.render('admin/comment-delete', { title: 'Delete comment permanently', comment, returnTo });
  };

  // POST /admin/comments/:id/delete — delete for good
  const deleteComment: RequestHandler<{ id: string }> = async (req, res, next) => {
    await moderation.deletePermanently(numericId(req));
    redirectWithFlash(req, res, next, safeAdminReturn(typedValues(req.body).return), adminMessages.commentDeleted);
  };

  const router = Router();
  router.get('/', dashboard);
  router.get('/comments', listComments);
  router.post('/comments/moderate', adminFormBody, verifyAdminForm, moderate);
  router.get('/comments/:id/edit', showEdit);
  router.post(
    '/comments/:id/edit',
    adminFormBody,
    verifyAdminForm,
    validateBody(commentEditSchema, 'The edit could not be read.'),
    saveEdit,
    showFormAgain((req, res, error) =>
      renderEdit(req as Request<{ id: string }>, res, { values: typedValues(req.body), errors: error.fields }),
    ),
  );
  router.get('/comments/:id/reply', showReply);
  router.post(
    '/comments/:id/reply',
    adminFormBody,
    verifyAdminForm,
    validateBody(authorReplySchema, 'The reply could not be read.'),
    saveReply,
    showFormAgain((req, res, error) =>
      renderReply(req as Request<{ id: string }>, res, { values: typedValues(req.body), errors: error.fields }),
    ),
  );
  router.post('/comments/:id/thread', adminFormBody, verifyAdminForm, setThreadFlags);
  router.get('/comments/:id/delete', confirmDelete);
  router.post('/comments/:id/delete', adminFormBody, verifyAdminForm, deleteComment);
  return router;
}
