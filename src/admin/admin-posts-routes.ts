import { Router, type Request, type RequestHandler, type Response } from 'express';
import { validateBody, validBody } from '../http/validate';
import { postInputSchema, type PostInput } from '../posts/posts-schema';
import type { PostsService } from '../posts/posts-service';
import { adminFormBody, numericId, redirectWithFlash, showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { verifyAdminForm } from './admin-session';

interface PostFormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

/** Writing posts: list, create, edit (Markdown, rendered when saved). */
export function createAdminPostsRouter({ posts }: { posts: PostsService }): Router {
  const renderForm = (res: Response, post: { id: number; slug: string } | null, state: PostFormState) => {
    res.render('admin/post-form', { title: post ? 'Edit post' : 'New post', post, ...state });
  };

  // GET /admin/posts — every post, newest first
  const listPosts: RequestHandler = async (_req, res) => {
    res.render('admin/posts', { title: 'Posts', posts: await posts.listNewestFirst() });
  };

  // GET /admin/posts/new — an empty post form
  const newPost: RequestHandler = (_req, res) => renderForm(res, null, { values: { commentsOpen: 'yes' }, errors: {} });

  // POST /admin/posts — publish a new post
  const createPost: RequestHandler = async (req, res, next) => {
    const input = validBody<PostInput>(res);
    const post = await posts.createPost(toNewPost(input, req.session.user ?? 'The editor'));
    redirectWithFlash(req, res, next, `/admin/posts/${post.id}/edit`, adminMessages.postSaved);
  };

  // GET /admin/posts/:id/edit — the post form, filled in
  const editPost: RequestHandler<{ id: string }> = async (req, res) => {
    const post = await posts.getForEditing(numericId(req));
    renderForm(res, post, {
      values: {
        title: post.title,
        slug: post.slug,
        body: post.bodyMarkdown,
        authorName: post.authorName,
        commentsOpen: post.commentsOpen ? 'yes' : '',
      },
      errors: {},
    });
  };

  // POST /admin/posts/:id/edit — save the edited post
  const saveEdit: RequestHandler<{ id: string }> = async (req, res, next) => {
    const post = await posts.updatePost(
      numericId(req),
      toNewPost(validBody<PostInput>(res), req.session.user ?? 'The editor'),
    );
    redirectWithFlash(req, res, next, `/admin/posts/${post.id}/edit`, adminMessages.postSaved);
  };

  const showPostFormAgain = showFormAgain(async (req, res, error) => {
    const id = numericId(req as Request<{ id: string }>);
    const post = id ? await posts.getForEditing(id) : null;
    renderForm(res, post, { values: typedValues(req.body), errors: error.fields });
  });

  const router = Router();
  const validPost = validateBody(postInputSchema, 'The post could not be read.');
  router.get('/posts', listPosts);
  router.get('/posts/new', newPost);
  router.post('/posts', adminFormBody, verifyAdminForm, validPost, createPost, showPostFormAgain);
  router.get('/posts/:id/edit', editPost);
  router.post('/posts/:id/edit', adminFormBody, verifyAdminForm, validPost, saveEdit, showPostFormAgain);
  return router;
}

/** The post to save from validated input; an empty author name means `defaultAuthor`. */
export function toNewPost(input: PostInput, defaultAuthor: string) {
  return {
    title: input.title,
    slug: input.slug,
    bodyMarkdown: input.body,
    authorName: input.authorName || defaultAuthor,
    commentsOpen: input.commentsOpen,
  };
}
