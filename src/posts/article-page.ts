import type { Request, Response } from 'express';
import type { CommenterCookies } from '../comments/commenter-cookies';
import { commentMessages } from '../comments/comments-messages';
import type { CommentFormValues } from '../comments/comments-schema';
import type { CommentNode } from '../comments/comment-threads';
import type { CommentsService } from '../comments/comments-service';
import type { OwnCommentsService } from '../comments/own-comments-service';
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

export interface ArticlePageDeps {
  posts: PostsService;
  comments: CommentsService;
  ownComments: OwnCommentsService;
  commenterCookies: CommenterCookies;
}

export interface ArticlePageOptions {
  /** A refused submission to show again, with its errors. */
  refused?: CommentFormState;
  /** The comment the reader chose to reply to (`?replytocom=ID`, the no-JavaScript reply flow). */
  replyToId?: number | null;
  /** Which page of top-level comments (`?cpage=N`). */
  commentPage?: number;
  status?: number;
}

/**
 * The article page: the post, its comment threads and the "Leave a Reply" form. Shared by the
 * post route and the comment form, which shows it again with the commenter's input and errors.
 */
export function createArticlePage({ posts, comments, ownComments, commenterCookies }: ArticlePageDeps) {
  return {
    async render(req: Request, res: Response, slug: string, { refused, replyToId, commentPage = 1, status = 200 }: ArticlePageOptions = {}): Promise<void> {
      const post = await posts.getPublished(slug);
      const ownCommentIds = commenterCookies.readOwnCommentIds(req);
      const { threads, approvedCount, page, pages } = await comments.threadsForPost(post.id, ownCommentIds, commentPage);
      const saved = refused ? null : commenterCookies.readSavedDetails(req);
      const values = refused?.values ?? (saved ? { ...emptyForm, ...saved, saveDetails: true } : emptyForm);
      const replyTo = await comments.findReplyTarget(post.id, refused ? Number(values.parentId) : replyToId);
      // Anything personal on the page (the viewer's pending comment, their saved details, their
      // rejected input) must never be stored by a shared cache. Other pages are revalidated on every
      // view, which also keeps the form's signed timestamp fresh.
      const personal = Boolean(refused || saved || ownCommentIds.length);
      res.set('Cache-Control', personal ? 'private, no-store' : 'no-cache');
      res.status(status).render('posts/article', {
        title: post.title,
        post,
        commentsOpen: await comments.isOpen(post),
        threads,
        editable: ownComments.editableIds(flatten(threads), ownCommentIds),
        commentPages: { page, pages, slug: post.slug },
        formStamp: comments.issueFormStamp(),
        countHeading: commentMessages.countHeading(approvedCount, post.title),
        form: { values: { ...values, parentId: replyTo ? String(replyTo.id) : '0' }, replyTo, errors: refused?.errors ?? {}, summary: refused?.summary ?? null },
        messages: commentMessages,
      });
    },
  };
}

function flatten(nodes: readonly CommentNode[]): CommentNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.replies)]);
}
