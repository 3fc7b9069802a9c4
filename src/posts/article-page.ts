import type { Request, Response } from 'express';
import type { CommenterCookies } from '../comments/commenter-cookies';
import { commentMessages } from '../comments/comments-messages';
import type { CommentFormValues } from '../comments/comments-schema';
import type { CommentsService } from '../comments/comments-service';
import type { FieldErrors } from '../errors';
import type { PostsService } from './posts-service';

/** The "Leave a Reply" form as it should be shown again after a refused submission. */
export interface CommentFormState {
  values: CommentFormValues;
  errors: FieldErrors;
  summary: string;
}

const emptyForm: CommentFormValues = { comment: '', author: '', email: '', url: '', parentId: '', saveDetails: false };

export type ArticlePage = ReturnType<typeof createArticlePage>;

/**
 * The article page: the post, its comment threads and the "Leave a Reply" form. Shared by the
 * post route and the comment form, which shows it again with the commenter's input and errors.
 */
export interface ArticlePageDeps {
  posts: PostsService;
  comments: CommentsService;
  commenterCookies: CommenterCookies;
}

export function createArticlePage({ posts, comments, commenterCookies }: ArticlePageDeps) {
  return {
    async render(req: Request, res: Response, slug: string, refused?: CommentFormState, status = 200): Promise<void> {
      const post = await posts.getPublished(slug);
      const ownCommentIds = commenterCookies.readOwnCommentIds(req);
      const { threads, approvedCount } = await comments.threadsForPost(post.id, ownCommentIds);
      const saved = refused ? null : commenterCookies.readSavedDetails(req);
      const values = refused?.values ?? (saved ? { ...emptyForm, ...saved, saveDetails: true } : emptyForm);
      // Anything personal on the page (the viewer's pending comment, their saved details, their
      // rejected input) must never be stored by a shared cache.
      const personal = Boolean(refused || saved || ownCommentIds.length);
      res.set('Cache-Control', personal ? 'private, no-store' : 'no-cache');
      res.status(status).render('posts/article', {
        title: post.title,
        post,
        threads,
        countHeading: commentMessages.countHeading(approvedCount, post.title),
        form: { values, errors: refused?.errors ?? {}, summary: refused?.summary ?? null },
        messages: commentMessages,
      });
    },
  };
}
