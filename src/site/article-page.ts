import type { Request, Response } from 'express';
import type { CommenterCookies, SavedDetails } from './commenter-cookies';
import { commentMessages } from '../comments/comments-messages';
import type { CommentFormValues } from '../comments/comments-schema';
import type { CommentNode } from '../comments/comment-threads';
import type { CommentsService } from '../comments/comments-service';
import type { OwnCommentsService } from '../comments/own-comments-service';
import type { FieldErrors } from '../errors';
import { pageMarks, postPageKey, toCachedPage, type CachedPage, type PageCache } from '../http/page-cache';
import {
  sharedPageCacheControl,
  writePageWithOwnDetails,
  writeSharedPage,
  type SharedFormStamp,
} from '../http/shared-page-response';
import type { PostRecord } from '../posts/posts-repository';
import type { PostsService } from '../posts/posts-service';

/** The "Leave a Reply" form as it should be shown again after a refused submission. */
export interface CommentFormState {
  values: CommentFormValues;
  errors: FieldErrors;
  summary: string;
}

const emptyForm: CommentFormValues = {
  comment: '',
  author: '',
  email: '',
  url: '',
  parentId: '',
  saveDetails: false,
  subscribe: false,
};

export type ArticlePage = ReturnType<typeof createArticlePage>;

/**
 * Where a thread is shown: our own article page, or the thread alone in embed.js's frame on
 * another site, whose links stay in the frame.
 */
export interface ThreadSurface {
  name: 'site' | 'embed';
  view: string;
  /** The address its links and forms start from: /posts/x or /embed/posts/x. */
  base: (slug: string) => string;
  /** A request header its answer also depends on (a shared cache must keep one per value). */
  vary: string | null;
}

export const siteSurface: ThreadSurface = {
  name: 'site',
  view: 'posts/article',
  base: (slug) => `/posts/${encodeURIComponent(slug)}`,
  vary: null,
};

export const embedSurface: ThreadSurface = {
  name: 'embed',
  view: 'embed/thread',
  base: (slug) => `/embed/posts/${encodeURIComponent(slug)}`,
  // Opened outside the frame, the same address redirects to the page (embed-routes.ts).
  vary: 'Sec-Fetch-Dest',
};

export interface ArticlePageDeps {
  posts: PostsService;
  comments: CommentsService;
  ownComments: OwnCommentsService;
  commenterCookies: CommenterCookies;
  /** Null when PAGE_CACHE=off: every page is rendered per request. */
  pageCache: PageCache | null;
  surface?: ThreadSurface;
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

/** Renders a view to a string with the response's locals (for pages that are kept). */
export function renderToString(res: Response, view: string, data: object): Promise<string> {
  return new Promise((resolve, reject) =>
    res.render(view, data, (error: Error | null, html?: string) => (error ? reject(error) : resolve(html ?? ''))),
  );
}

const htmlType = { 'Content-Type': 'text/html; charset=utf-8' };

/** Sends a shared page through the full stack (after a cache miss, or with no cache): compressed if the browser accepts it. */
export function sendSharedPage(
  req: Request,
  res: Response,
  page: CachedPage,
  form: SharedFormStamp | null = null,
  vary: string | null = null,
): void {
  const headers = { 'Cache-Control': sharedPageCacheControl, ...htmlType, ...(vary ? { Vary: vary } : {}) };
  writeSharedPage(req, res, page, headers, form);
}

/**
 * The article page: the post, its comment threads and the "Leave a Reply" form. Shared by the
 * post route and the comment form, which shows it again with the commenter's input and errors.
 *
 * A request that shows nothing of the reader's own gets the shared page, from the page cache when
 * it is there. Own comments from the cookie count only where they change this page (one held, or
 * one still editable). A reader whose only own part is the details they saved gets the kept page
 * with those details in the form. Anything else (own comments shown, refused input, a reply
 * target) is rendered for that visitor alone. Both are marked `private, no-store`.
 */
export function createArticlePage({
  posts,
  comments,
  ownComments,
  commenterCookies,
  pageCache,
  surface = siteSurface,
}: ArticlePageDeps) {
  async function renderPage(
    res: Response,
    slug: string,
    options: ArticlePageOptions & {
      ownCommentIds: number[];
      saved: SavedDetails | null;
      formStamp: string;
      detailsMarker?: string;
    },
  ) {
    const { refused, replyToId, commentPage = 1, ownCommentIds, saved, formStamp, detailsMarker } = options;
    const post = await posts.getPublished(slug);
    const [{ threads, approvedCount, page, pages }, pinned] = await Promise.all([
      comments.threadsForPost(post.id, ownCommentIds, commentPage),
      commentPage === 1 ? comments.pinnedOf(post.id) : [],
    ]);
    const values = refused?.values ?? (saved ? { ...emptyForm, ...saved, saveDetails: true } : emptyForm);
    const replyTo = await comments.findOpenReplyTarget(post.id, refused ? Number(values.parentId) : replyToId);
    return renderToString(res, surface.view, {
      title: post.title,
      post,
      base: surface.base(post.slug),
      canonicalPath: `/posts/${encodeURIComponent(post.slug)}${commentPage > 1 ? `?cpage=${commentPage}` : ''}`,
      commentsOpen: await comments.isOpen(post),
      threads,
      pinned,
      // Most readers have no comments of their own: nothing to look through.
      editable:
        ownCommentIds.length === 0 ? new Set<number>() : ownComments.editableIds(flatten(threads), ownCommentIds),
      commentPages: { page, pages, slug: post.slug, base: surface.base(post.slug) },
      formStamp,
      detailsMarker,
      countHeading: commentMessages.countHeading(approvedCount, post.title, threads.length > 0),
      form: {
        values: { ...values, parentId: replyTo ? String(replyTo.id) : '0' },
        replyTo,
        errors: refused?.errors ?? {},
        summary: refused?.summary ?? null,
      },
      messages: commentMessages,
    });
  }

  /**
   * The shared page: the kept one, or rendered (and kept, when pages are kept) until something on
   * it changes, or its comments close by age.
   */
  async function sharedPage(res: Response, post: PostRecord, commentPage: number): Promise<CachedPage> {
    const key = postPageKey(post.slug, commentPage, surface.name);
    const kept = pageCache?.get(key);
    if (kept) return kept;
    // Rendered with marks where readers' pages differ: the form stamp, and the commenter details.
    const html = await renderPage(res, post.slug, {
      commentPage,
      ownCommentIds: [],
      saved: null,
      formStamp: pageMarks.slot,
      detailsMarker: pageMarks.details,
    });
    return pageCache
      ? pageCache.set(key, html, pageMarks, await comments.closesAt(post))
      : toCachedPage(html, pageMarks, { validated: false });
  }

  /** Where a page of comments past the last one should go instead: the last one; null if the page is there. */
  async function lastPageIfPast(
    post: PostRecord,
    commentPage: number,
    ownCommentIds: number[],
  ): Promise<string | null> {
    if (commentPage <= 1) return null;
    const last = await comments.pageCount(post.id, ownCommentIds);
    if (commentPage <= last) return null;
    return `${surface.base(post.slug)}${last > 1 ? `?cpage=${last}` : ''}#comments`;
  }

  return {
    /**
     * A post as its page will look once published, with no comments yet and a banner saying so:
     * for the signed-in owner (the admin area serves it), never kept or cached.
     */
    /**
     * A standalone page (kind "page"): its text alone, no comments, the same for everyone, so
     * kept in the page cache until it changes.
     */
    async renderStandalone(req: Request, res: Response, post: PostRecord): Promise<void> {
      const key = `standalone:${post.slug}`;
      const kept = pageCache?.get(key);
      if (kept) return sendSharedPage(req, res, kept);
      const html = await renderToString(res, 'posts/article', {
        title: post.title,
        post,
        isPage: true,
        canonicalPath: `/${encodeURIComponent(post.slug)}`,
      });
      sendSharedPage(req, res, pageCache ? pageCache.set(key, html) : toCachedPage(html, {}, { validated: false }));
    },

    async renderPreview(res: Response, post: PostRecord & { status: string }): Promise<void> {
      const html = await renderToString(res, 'posts/article', {
        title: post.title,
        post,
        isPage: post.kind === 'page',
        preview: { id: post.id, status: post.status },
        commentsOpen: post.commentsOpen,
        threads: [],
        pinned: [],
        editable: new Set<number>(),
        commentPages: { page: 1, pages: 1, slug: post.slug },
        formStamp: '',
        countHeading: commentMessages.countHeading(0, post.title, false),
        form: { values: { ...emptyForm, parentId: '0' }, replyTo: null, errors: {}, summary: null },
        messages: commentMessages,
      });
      res.set('Cache-Control', 'private, no-store').type('html').send(html);
    },

    /**
     * The comment form alone, with what was typed and why it was refused, for when the article
     * cannot be read (the database cannot be reached): the reader keeps their words and can send
     * them again. Reads nothing from the database.
     */
    async renderFormAlone(
      res: Response,
      slug: string,
      refused: NonNullable<ArticlePageOptions['refused']>,
      status: number,
    ): Promise<void> {
      const html = await renderToString(res, 'comments/form-again', {
        title: commentMessages.notSavedTitle,
        post: { slug },
        form: { values: refused.values, replyTo: null, errors: refused.errors ?? {}, summary: refused.summary },
        formStamp: comments.issueFormStamp(),
        page: 1,
        messages: commentMessages,
      });
      res.status(status).set('Cache-Control', 'private, no-store').type('html').send(html);
    },

    /**
     * An embedded page with no thread yet (embed.js's frame): no comments, and the form, which
     * makes the thread with the first comment. Rendered for each reader (it is rare: a page's
     * first readers), with what was typed when a first comment was refused.
     */
    async renderNewThread(
      req: Request,
      res: Response,
      page: { url: string; title: string; ownPage?: boolean },
      refused: CommentFormState | null = null,
      status = 200,
    ): Promise<void> {
      const saved = refused ? null : commenterCookies.readSavedDetails(req);
      const values = refused?.values ?? (saved ? { ...emptyForm, ...saved, saveDetails: true } : emptyForm);
      const html = await renderToString(res, surface.view, {
        title: page.title || page.url,
        post: { slug: '', title: page.title },
        base: '',
        formAction: '/embed/threads',
        ownPage: page.ownPage,
        pageUrl: page.url,
        hiddenFields: { page_url: page.url, page_title: page.title, ...(page.ownPage ? { own_page: '1' } : {}) },
        commentsOpen: true,
        threads: [],
        pinned: [],
        editable: new Set<number>(),
        commentPages: { page: 1, pages: 1, slug: '', base: '' },
        formStamp: comments.issueFormStamp(),
        countHeading: commentMessages.countHeading(0, page.title || page.url, false),
        form: {
          values: { ...values, parentId: '0' },
          replyTo: null,
          errors: refused?.errors ?? {},
          summary: refused?.summary ?? null,
        },
        messages: commentMessages,
      });
      res.status(status).set('Cache-Control', 'private, no-store').type('html').send(html);
    },

    async render(req: Request, res: Response, slug: string, options: ArticlePageOptions = {}): Promise<void> {
      const { refused, replyToId, commentPage = 1, status = 200 } = options;
      const post = await posts.getPublished(slug);
      const plainRead = !refused && !replyToId && status === 200;
      // A commenter's own comments count only where they change the page: held ones, or ones they may still edit.
      const cookieIds = commenterCookies.readOwnCommentIds(req);
      const ownShown = !plainRead || (cookieIds.length > 0 && (await ownComments.changePageOf(post.id, cookieIds)));
      const ownCommentIds = ownShown ? cookieIds : [];
      // A page past the last is never rendered (nor kept): the reader goes to the last one. (A
      // reply target or a refused form is rendered for its reader alone, on the last page.)
      const last = plainRead ? await lastPageIfPast(post, commentPage, ownCommentIds) : null;
      if (last) return res.redirect(302, last);
      const saved = refused ? null : commenterCookies.readSavedDetails(req);
      // Nothing of the reader's own on the page, or only the details they saved for the form.
      const sharedButDetails = plainRead && ownCommentIds.length === 0;
      if (sharedButDetails && !saved) {
        return sendSharedPage(
          req,
          res,
          await sharedPage(res, post, commentPage),
          comments.issueSharedFormStamp(),
          surface.vary,
        );
      }
      const formStamp = comments.issueFormStamp();
      if (sharedButDetails && saved) {
        const page = await sharedPage(res, post, commentPage);
        if (page.details) {
          const details = await renderToString(res, 'comments/form-details', {
            values: { ...emptyForm, ...saved, saveDetails: true },
            errors: {},
          });
          return writePageWithOwnDetails(res, page, page.details, htmlType, details, formStamp);
        }
      }
      const html = await renderPage(res, slug, { ...options, ownCommentIds, saved, formStamp });
      res.status(status).set('Cache-Control', 'private, no-store').type('html').send(html);
    },
  };
}
function flatten(nodes: readonly CommentNode[]): CommentNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.replies)]);
}
