import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import { moderationMessages } from '../moderation/moderation-messages';
import type { Imports } from '../imports/import-runner';
import { jsonBody, jsonBodyUpTo } from '../http/body-parsers';
import { validateBody, validBody } from '../http/validate';
import type { ModerationService } from '../moderation/moderation-service';
import { postInputSchemaIn } from '../posts/posts-schema';
import { authorReplySchema } from '../comments/comments-schema';
import type { EditablePost } from '../posts/posts-repository';
import type { PostsService } from '../posts/posts-service';
import type { AdminAuth } from './admin-auth';
import { numericId, typedValues } from './admin-http';
import { exportUpload, imageUpload } from './admin-upload';
import { mediaJson } from './admin-media-routes';
import { mediaMessages, mediaPath, type MediaService } from '../media/media-service';
import { toNewPost } from './admin-posts-routes';
import { moderatedCommentJson } from '../moderation/moderated-comment-json';
import type { NotificationsService } from '../notifications/notifications-service';
import type { BlogSettingsRepository } from '../blog-settings/blog-settings-repository';
import type { ModerationSettingsRepository } from '../moderation/moderation-settings-repository';
import type { NotificationSettingsRepository } from '../notifications/notification-settings-repository';
import { blockInputSchema, type BlockInput, type SenderBlock, type SenderBlocks } from '../moderation/sender-blocks';
import type { CommenterDataService } from '../privacy/commenter-data-service';
import type { Clock } from '../shared/clock';
import { createSettingsApi, settingsPatchSchema, type SettingsPatch } from './settings-api';
import {
  commenterEmailSchema,
  erasureSchema,
  parsedQuery,
  bulkStatusSchema,
  commentListQueryOf,
  commentPatchSchema,
  deliveryListQuerySchema,
  importRequestOf,
} from './admin-schemas';

export interface AdminApiDeps {
  /** Imports, each run in a child process of its own. */
  imports: Imports;
  auth: AdminAuth;
  moderation: ModerationService;
  posts: PostsService;
  notifications: NotificationsService;
  /** The site's time zone: a publishAt without an offset is a wall time in it. */
  timeZone: () => string;
  /** The name the author's replies carry. */
  displayName: () => string;
  media: MediaService;
  commenterData: CommenterDataService;
  senderBlocks: SenderBlocks;
  settings: ModerationSettingsRepository;
  notificationSettings: NotificationSettingsRepository;
  blogSettings: BlogSettingsRepository;
  clock: Clock;
}

const apiActor = 'api';

/** A block as the API answers it. */
export const blockJson = ({ id, kind, value, note, createdAt }: SenderBlock) => ({
  id,
  kind,
  value,
  note,
  createdAt: createdAt.toISOString(),
});

/** A post as the API answers it: its status, and when it was (or will be) published. */
function postJson({ dateChosen, ...post }: EditablePost) {
  return { ...post, publishedAt: post.status === 'draft' && !dateChosen ? null : post.publishedAt };
}

/** The JSON admin API under /admin/api, for automation: `Authorization: Bearer <ADMIN_API_TOKEN>`. */
export function createAdminApiRouter({
  imports,
  auth,
  moderation,
  posts,
  notifications,
  timeZone,
  displayName,
  media,
  commenterData,
  senderBlocks,
  settings,
  notificationSettings,
  blogSettings,
  clock,
}: AdminApiDeps): Router {
  const postInputSchema = postInputSchemaIn(timeZone);
  const settingsApi = createSettingsApi({ settings, notificationSettings, blogSettings });
  // POST /admin/api/imports — multipart: format (wordpress | disqus | json), dryRun (optional), file.
  // A file that cannot be imported: 422 import_failed (ImportFailedError).
  const importFile: RequestHandler = async (req, res) => {
    res.json({ report: await imports.run(importRequestOf(req.body, req.file)) });
  };

  // GET /admin/api/comments?status=&post=&q=&page=
  const listComments: RequestHandler = async (req, res) => {
    const query = commentListQueryOf(req.query);
    const result = await moderation.list({ status: query.status, postId: query.post, q: query.q }, query.page);
    res.json({
      comments: result.comments.map(moderatedCommentJson),
      page: result.page,
      pages: result.pages,
      total: result.total,
    });
  };

  // PATCH /admin/api/comments/:id — { status } and/or edited fields
  const patchComment: RequestHandler<{ id: string }> = async (req, res) => {
    const id = numericId(req);
    const patch = validBody<z.output<typeof commentPatchSchema>>(res);
    const current = await moderation.getComment(id);
    const { status, pinned, repliesLocked, ...fields } = patch;
    // Checked before anything is changed: a refused request changes nothing.
    if (pinned && (status ?? current.status) !== 'approved')
      throw new ConflictError(moderationMessages.pinOnlyApproved, 'comment_not_approved');
    if (current.erased && Object.keys(fields).length > 0)
      throw new ConflictError(moderationMessages.erasedNotEditable, 'comment_erased');
    if (Object.keys(fields).length > 0) {
      await moderation.edit(id, {
        comment: fields.comment ?? current.text,
        author: fields.author ?? current.authorName,
        email: fields.email ?? current.authorEmail,
        url: fields.url !== undefined ? fields.url : current.authorUrl,
      });
    }
    if (status) await moderation.setStatus([id], status, apiActor);
    if (pinned !== undefined || repliesLocked !== undefined)
      await moderation.setThreadFlags(id, { pinned, repliesLocked });
    res.json({ comment: moderatedCommentJson(await moderation.getComment(id)) });
  };

  // POST /admin/api/comments/:id/reply — { comment }: the post author's reply, published at once
  // (a comment still waiting is approved with it; one in spam or the trash is a 409)
  const replyToComment: RequestHandler<{ id: string }> = async (req, res) => {
    const { comment } = validBody<{ comment: string }>(res);
    const id = await moderation.replyAsAuthor(numericId(req), comment, displayName(), apiActor);
    res.status(201).json({ comment: moderatedCommentJson(await moderation.getComment(id)) });
  };

  // POST /admin/api/media — multipart, field file (alt optional): stores an image, answers its address
  const uploadMedia: RequestHandler = async (req, res) => {
    if (!req.file) throw new BadRequestError(mediaMessages.missing, { file: mediaMessages.missing });
    const stored = await media.upload({ originalName: req.file.originalname, bytes: req.file.buffer });
    const alt = typedValues(req.body).alt ?? '';
    res
      .status(201)
      .location(mediaPath(stored))
      .json({ media: mediaJson(stored, alt) });
  };

  // DELETE /admin/api/media/:id — the image; its address answers 404 from then on
  const deleteMedia: RequestHandler<{ id: string }> = async (req, res) => {
    const image = await media.remove(numericId(req));
    res.json({ deleted: { id: image.id, url: mediaPath(image) } });
  };

  // DELETE /admin/api/comments/:id — only from trash or spam (409 otherwise)
  const deleteComment: RequestHandler<{ id: string }> = async (req, res) => {
    await moderation.deletePermanently(numericId(req));
    res.status(204).end();
  };

  // POST /admin/api/comments/bulk — { ids, status }
  const bulkStatus: RequestHandler = async (req, res) => {
    const { ids, status } = validBody<z.output<typeof bulkStatusSchema>>(res);
    res.json({ changed: await moderation.setStatus(ids, status, apiActor) });
  };

  // GET /admin/api/notifications?status=queued|sent|failed&page= — the outbox's deliveries
  const listDeliveries: RequestHandler = async (req, res) => {
    const query = deliveryListQuerySchema.parse(req.query);
    const { deliveries, total, counts, page, pages } = await notifications.listDeliveries(query.status, query.page);
    res.json({
      deliveries: deliveries.map((delivery) => ({
        id: delivery.id,
        channel: delivery.channel,
        kind: delivery.kind,
        recipient: delivery.recipient,
        subject: delivery.subject,
        commentId: delivery.commentId,
        status: delivery.status,
        attempts: delivery.attempts,
        nextAttemptAt: delivery.status === 'queued' ? delivery.nextAttemptAt.toISOString() : null,
        lastError: delivery.lastError,
        sentAt: delivery.sentAt?.toISOString() ?? null,
        createdAt: delivery.createdAt.toISOString(),
      })),
      total,
      counts,
      page,
      pages,
    });
  };

  // POST /admin/api/notifications/:id/send-again — a failed delivery queued again (409 if not failed)
  const sendAgain: RequestHandler<{ id: string }> = async (req, res) => {
    await notifications.sendAgain(numericId(req));
    res.status(202).json({ queued: true });
  };

  // GET /admin/api/posts
  const listPosts: RequestHandler = async (_req, res) => {
    res.json({ posts: await posts.listAll() });
  };

  // POST /admin/api/posts — { title, slug?, body, authorName?, commentsOpen?, status?, publishAt?, kind? }.
  // Left out, commentsOpen is true, as the editor's box starts ticked (the shared schema reads an
  // absent checkbox as unticked, which is what a form sends for one), and status is "published".
  const withNewPostDefaults: RequestHandler = (req, _res, next) => {
    const body: unknown = req.body;
    if (body && typeof body === 'object' && !Array.isArray(body))
      req.body = { commentsOpen: true, status: 'published', ...body };
    next();
  };
  const createPost: RequestHandler = async (req, res) => {
    const input = validBody<z.output<typeof postInputSchema>>(res);
    const post = await posts.createPost(toNewPost(input, displayName()));
    res
      .status(201)
      .location(`/posts/${post.slug}`)
      .json({ post: postJson(post) });
  };

  // PATCH /admin/api/posts/:id — any of the fields; the rest stay as they are. The stored post is
  // merged under the request before validation, so a partial change is checked like a whole post.
  // Published or scheduled anew without a publishAt, a post does not take its old date: published
  // is now, and scheduled needs one. Unpublished (a draft), it keeps its date.
  const mergeStoredPost: RequestHandler<{ id: string }> = async (req, res, next) => {
    const current = await posts.getForEditing(numericId(req));
    res.locals.currentPost = current;
    const body: unknown = req.body;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const stored = {
        title: current.title,
        slug: current.slug,
        body: current.bodyMarkdown,
        authorName: current.authorName,
        commentsOpen: current.commentsOpen,
        status: current.status,
        kind: current.kind,
        categories: current.categories.map((term) => term.name),
        tags: current.tags.map((term) => term.name),
      };
      const toPublish = 'status' in body && body.status !== current.status && body.status !== 'draft';
      const date = current.dateChosen && !toPublish ? { publishAt: current.publishedAt.toISOString() } : {};
      req.body = { ...stored, ...date, ...body };
    }
    next();
  };
  const patchPost: RequestHandler<{ id: string }> = async (_req, res) => {
    const input = validBody<z.output<typeof postInputSchema>>(res);
    const current = res.locals.currentPost as { id: number; authorName: string };
    const post = await posts.updatePost(current.id, toNewPost(input, current.authorName));
    res.json({ post: postJson(post) });
  };

  // DELETE /admin/api/posts/:id — the post and its comments; answers what went with it
  const deletePost: RequestHandler<{ id: string }> = async (req, res) => {
    const { post, comments } = await posts.deletePost(numericId(req));
    res.json({ deleted: { id: post.id, slug: post.slug, title: post.title, comments: comments.total } });
  };

  // GET /admin/api/commenters/export?email= — everything stored about the address, as one JSON document
  const exportCommenter: RequestHandler = async (req, res) => {
    const { email } = parsedQuery(commenterEmailSchema, req.query);
    res.json(await commenterData.exportData(email));
  };

  // POST /admin/api/commenters/erase — { email, mode: "anonymize" | "delete" }
  const eraseCommenter: RequestHandler = async (_req, res) => {
    const { email, mode } = validBody<z.output<typeof erasureSchema>>(res);
    res.json({ erased: await commenterData.erase(email, mode, apiActor) });
  };

  // GET /admin/api/blocks — every block, newest first
  const listBlocks: RequestHandler = async (_req, res) => {
    res.json({ blocks: (await senderBlocks.list()).map(blockJson) });
  };

  // POST /admin/api/blocks — { email } or { ip } (an address or a CIDR range), and an optional note
  const addBlock: RequestHandler = async (_req, res) => {
    const block = await senderBlocks.add(validBody<BlockInput>(res), clock.now());
    res.status(201).json({ block: blockJson(block) });
  };

  // DELETE /admin/api/blocks/:id
  const removeBlock: RequestHandler<{ id: string }> = async (req, res) => {
    await senderBlocks.remove(numericId(req));
    res.status(204).end();
  };

  // GET /admin/api/settings — moderation rules, notifications, the blog's own settings
  const showSettings: RequestHandler = async (_req, res) => {
    res.json({ settings: await settingsApi.current() });
  };

  // PATCH /admin/api/settings — any fields of any group; answers the settings in force
  const changeSettings: RequestHandler = async (_req, res) => {
    res.json({ settings: await settingsApi.change(validBody<SettingsPatch>(res)) });
  };

  const validPost = validateBody(postInputSchema, 'The post could not be read.');
  const router = Router();
  router.use(auth.requireApiToken);
  // The answers hold commenters' addresses: never kept by a browser or a cache on the way.
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.get('/comments', listComments);
  router.patch(
    '/comments/:id',
    jsonBody,
    validateBody(commentPatchSchema, 'The change could not be read.'),
    patchComment,
  );
  router.delete('/comments/:id', deleteComment);
  router.post(
    '/comments/:id/reply',
    jsonBody,
    validateBody(authorReplySchema, 'The reply could not be read.'),
    replyToComment,
  );
  router.post('/comments/bulk', jsonBody, validateBody(bulkStatusSchema, 'The request could not be read.'), bulkStatus);
  router.get('/commenters/export', exportCommenter);
  router.post(
    '/commenters/erase',
    jsonBody,
    validateBody(erasureSchema, 'The request could not be read.'),
    eraseCommenter,
  );
  router.get('/blocks', listBlocks);
  router.post('/blocks', jsonBody, validateBody(blockInputSchema, 'The block could not be read.'), addBlock);
  router.delete('/blocks/:id', removeBlock);
  router.get('/settings', showSettings);
  router.patch(
    '/settings',
    jsonBody,
    validateBody(settingsPatchSchema, 'The settings could not be read.'),
    changeSettings,
  );
  router.get('/posts', listPosts);
  router.get('/notifications', listDeliveries);
  router.post('/notifications/:id/send-again', sendAgain);
  // A post's body may be 500,000 bytes, more than a comment's body limit allows.
  const postBody = jsonBodyUpTo('2mb');
  router.post('/posts', postBody, withNewPostDefaults, validPost, createPost);
  router.patch('/posts/:id', postBody, mergeStoredPost, validPost, patchPost);
  router.delete('/posts/:id', deletePost);
  router.post('/imports', exportUpload, importFile);
  router.post('/media', imageUpload(media.maxBytes), uploadMedia);
  router.delete('/media/:id', deleteMedia);
  router.use((_req, _res, next) => next(new NotFoundError()));
  return router;
}
