import { Router, type Request, type RequestHandler, type Response } from 'express';
import { validateBody, validBody } from '../http/validate';
import type { ArticlePage } from '../site/article-page';
import { postStatusLabels } from '../posts/post-status';
import { postInputSchemaIn, type PostInput } from '../posts/posts-schema';
import type { NewPost, PostsService } from '../posts/posts-service';
import { wallTimeOf, zoneLabel } from '../shared/site-time-zone';
import type { Clock } from '../shared/clock';
import { adminFormBody, numericId, redirectWithFlash, showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { verifyAdminForm } from './admin-session';
import { mediaJson } from './admin-media-routes';
import type { MediaService } from '../media/media-service';

interface PostFormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export interface AdminPostsRouterDeps {
  posts: PostsService;
  articlePage: ArticlePage;
  clock: Clock;
  /** The site's time zone: the editor's dates are wall times in it. */
  timeZone: () => string;
  /** The images the editor offers to upload and lists. */
  media: MediaService;
  /** DISPLAY_NAME: a post's author when its form leaves the field empty (else the user name). */
  displayName: () => string | null;
}

/** Writing posts: list, create, edit (Markdown, rendered when saved), preview, schedule, delete. */
export function createAdminPostsRouter({
  posts,
  articlePage,
  clock,
  timeZone,
  media,
  displayName,
}: AdminPostsRouterDeps): Router {
  const renderForm = async (
    res: Response,
    post: { id: number; slug: string; status: string; kind: string } | null,
    state: PostFormState,
  ) => {
    res.render('admin/post-form', {
      images: (await media.latest()).map((image) => mediaJson(image)),
      imageMaxMb: media.maxBytes / 1024 / 1024,
      title: post ? 'Edit post' : 'New post',
      post,
      statusLabels: postStatusLabels,
      zone: zoneLabel(timeZone(), clock.now()),
      ...state,
    });
  };

  // GET /admin/posts — every post, drafts and scheduled ones first as they sort by date
  const listPosts: RequestHandler = async (_req, res) => {
    res.render('admin/posts', {
      title: 'Posts',
      posts: await posts.listAll(),
      statusLabels: postStatusLabels,
      zone: zoneLabel(timeZone(), clock.now()),
    });
  };

  // GET /admin/posts/new — an empty post form (a draft until the writer chooses otherwise)
  const newPost: RequestHandler = (_req, res) =>
    renderForm(res, null, { values: { commentsOpen: 'yes', status: 'draft' }, errors: {} });

  // POST /admin/posts — store a new post
  const createPost: RequestHandler = async (req, res, next) => {
    const input = validBody<PostInput>(res);
    const post = await posts.createPost(toNewPost(input, displayName() ?? req.session.user ?? 'The editor'));
    redirectWithFlash(req, res, next, `/admin/posts/${post.id}/edit`, adminMessages.postSavedAs(post.status));
  };

  // GET /admin/posts/:id/edit — the post form, filled in
  const editPost: RequestHandler<{ id: string }> = async (req, res) => {
    const post = await posts.getForEditing(numericId(req));
    // An embedded page's thread has no text to edit: its own page says what can change.
    if (post.kind === 'embed') return res.redirect(302, `/admin/embeds/${post.id}`);
    await renderForm(res, post, {
      values: {
        title: post.title,
        slug: post.slug,
        body: post.bodyMarkdown,
        authorName: post.authorName,
        commentsOpen: post.commentsOpen ? 'yes' : '',
        status: post.status,
        kind: post.kind,
        categories: post.categories.map((term) => term.name).join(', '),
        tags: post.tags.map((term) => term.name).join(', '),
        publishAt: post.dateChosen ? wallTimeOf(post.publishedAt, timeZone()) : '',
      },
      errors: {},
    });
  };

  // POST /admin/posts/:id/edit — save the edited post
  const saveEdit: RequestHandler<{ id: string }> = async (req, res, next) => {
    const post = await posts.updatePost(
      numericId(req),
      toNewPost(validBody<PostInput>(res), displayName() ?? req.session.user ?? 'The editor'),
    );
    redirectWithFlash(req, res, next, `/admin/posts/${post.id}/edit`, adminMessages.postSavedAs(post.status));
  };

  // GET /admin/posts/:id/preview — the post exactly as its page will show it, for the signed-in owner only
  const previewPost: RequestHandler<{ id: string }> = async (req, res) => {
    await articlePage.renderPreview(res, await posts.getForEditing(numericId(req)));
  };

  // GET /admin/posts/:id/delete — what deleting the post takes with it, and the button to do it
  const confirmDelete: RequestHandler<{ id: string }> = async (req, res) => {
    res.render('admin/post-delete', { title: 'Delete post', ...(await posts.deletion(numericId(req))) });
  };

  // POST /admin/posts/:id/delete — delete the post and its comments
  const deletePost: RequestHandler<{ id: string }> = async (req, res, next) => {
    const { post, comments } = await posts.deletePost(numericId(req));
    redirectWithFlash(req, res, next, '/admin/posts', adminMessages.postDeleted(post.title, comments.total));
  };

  const showPostFormAgain = showFormAgain(async (req, res, error) => {
    const id = numericId(req as Request<{ id: string }>);
    const post = id ? await posts.getForEditing(id) : null;
    await renderForm(res, post, { values: typedValues(req.body), errors: error.fields });
  });

  const router = Router();
  const validPost = validateBody(postInputSchemaIn(timeZone), 'The post could not be read.');
  // POST /admin/posts/:id/comments — open=yes|no: opens or closes the post's comments
  const setCommentsOpen: RequestHandler<{ id: string }> = async (req, res, next) => {
    const open = typedValues(req.body).open === 'yes';
    await posts.setCommentsOpen(numericId(req), open);
    redirectWithFlash(
      req,
      res,
      next,
      '/admin/posts',
      open ? adminMessages.commentsOpened : adminMessages.commentsClosed,
    );
  };

  router.get('/posts', listPosts);
  router.post('/posts/:id/comments', adminFormBody, verifyAdminForm, setCommentsOpen);
  router.get('/posts/new', newPost);
  router.post('/posts', adminFormBody, verifyAdminForm, validPost, createPost, showPostFormAgain);
  router.get('/posts/:id/edit', editPost);
  router.post('/posts/:id/edit', adminFormBody, verifyAdminForm, validPost, saveEdit, showPostFormAgain);
  router.get('/posts/:id/preview', previewPost);
  router.get('/posts/:id/delete', confirmDelete);
  router.post('/posts/:id/delete', adminFormBody, verifyAdminForm, deletePost);
  return router;
}

/** The post to save from validated input; an empty author name means `defaultAuthor`. */
export function toNewPost(input: PostInput, defaultAuthor: string): NewPost {
  return {
    title: input.title,
    slug: input.slug,
    bodyMarkdown: input.body,
    authorName: input.authorName || defaultAuthor,
    commentsOpen: input.commentsOpen,
    status: input.status,
    kind: input.kind,
    categories: input.categories,
    tags: input.tags,
    publishedAt: input.publishAt,
  };
}
