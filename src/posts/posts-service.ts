import { LRUCache } from 'lru-cache';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { Clock } from '../shared/clock';
import { monthName, monthOf, monthSpan } from '../shared/site-time-zone';
import { noPageChanges, type PublicPageChanges } from '../shared/page-changes';
import { demoPost } from './demo-post';
import { renderedPostBody } from './post-markdown';
import {
  postPath,
  reservedPageSlugs,
  type PostKind,
  threadKinds,
  embedKind,
  type PostStatus,
  type TermKind,
  type TermRecord,
} from './post-status';
import type {
  AdminPostSummary,
  EditablePost,
  NewPostRecord,
  PostRecord,
  PostSummary,
  PostsRepository,
} from './posts-repository';
import { postMessages } from './posts-messages';

export interface NewPost {
  slug: string;
  title: string;
  bodyMarkdown: string;
  authorName: string;
  commentsOpen?: boolean;
  /** Not given: as it was (an edit), or published (a new post). */
  status?: PostStatus;
  /** Not given: as it was (an edit), or a post. */
  kind?: PostKind;
  /** Not given: as they were (an edit), or none. */
  categories?: TermRecord[];
  tags?: TermRecord[];
  /** When it was or is to be published (imports and tests date their posts); none: now, when it is published. */
  publishedAt?: Date | null;
}

/** What deleting a post takes with it, told before it is done. */
export interface PostDeletion {
  post: EditablePost;
  comments: { total: number; approved: number; pending: number };
}

/** One page of a list of posts. */
export interface PostsPage {
  posts: PostSummary[];
  page: number;
  pages: number;
  total: number;
}

/** A month of the archive, and how many posts were published in it. */
export interface ArchiveMonth {
  year: number;
  month: number;
  name: string;
  count: number;
}

/** Posts on a page of the home page, an archive or search results. */
export const postsPerPage = 10;

const pageOf = (page: number) => ({ skip: (Math.max(1, page) - 1) * postsPerPage, take: postsPerPage });
const asPage = ({ posts, total }: { posts: PostSummary[]; total: number }, page: number): PostsPage => ({
  posts,
  page,
  total,
  pages: Math.max(1, Math.ceil(total / postsPerPage)),
});

export type PostsService = ReturnType<typeof createPostsService>;

const sameMinute = (a: Date, b: Date) => Math.floor(a.getTime() / 60_000) === Math.floor(b.getTime() / 60_000);

/** Reading and writing posts; Markdown is rendered here, once per save. */
export function createPostsService({
  repo,
  clock,
  pageChanges = noPageChanges,
  timeZone = () => 'UTC',
}: {
  repo: PostsRepository;
  clock: Clock;
  pageChanges?: PublicPageChanges;
  /** The site's time zone: an archive's month starts at its midnight. */
  timeZone?: () => string;
}) {
  /**
   * The post's status and dates as they are to be stored, or a ValidationError (field publishAt).
   * A date is checked against the clock: a scheduled post's is to come, a published one's has
   * passed. A published post keeps its stored date when the editor sends it back to the minute.
   */
  function dating(
    post: NewPost,
    before: EditablePost | null,
  ): Pick<NewPostRecord, 'status' | 'publishedAt' | 'dateChosen'> {
    const status = post.status ?? before?.status ?? 'published';
    const now = clock.now();
    let chosen = post.publishedAt ?? null;
    if (chosen && before?.dateChosen && sameMinute(chosen, before.publishedAt)) chosen = before.publishedAt;
    // A published post saved again with no date keeps the one it has.
    if (!chosen && status === 'published' && before?.status === 'published') chosen = before.publishedAt;
    const refuse = (message: string): never => {
      throw new ValidationError({ publishAt: message });
    };
    if (status === 'scheduled') {
      if (!chosen) refuse(postMessages.scheduleNeedsDate);
      else if (chosen <= now) refuse(postMessages.scheduleInPast);
    }
    if (
      status === 'published' &&
      chosen &&
      chosen > now &&
      !(before?.status === 'published' && chosen === before.publishedAt)
    ) {
      refuse(postMessages.publishedInFuture);
    }
    return { status, publishedAt: chosen ?? now, dateChosen: chosen !== null || status === 'published' };
  }

  const toRecord = (post: NewPost, before: EditablePost | null): NewPostRecord => ({
    kind: pageChecked(post.kind ?? (before?.kind as PostKind | undefined) ?? 'post', post.slug),
    slug: post.slug,
    title: post.title,
    ...renderedPostBody(post.bodyMarkdown),
    bodyMarkdown: post.bodyMarkdown,
    authorName: post.authorName,
    commentsOpen: post.commentsOpen ?? true,
    categories: post.categories ?? before?.categories ?? [],
    tags: post.tags ?? before?.tags ?? [],
    ...dating(post, before),
  });

  /** The kind, once a page's address is known to be free of the site's own (a ValidationError). */
  function pageChecked(kind: PostKind, slug: string): PostKind {
    if (kind === 'page' && (reservedPageSlugs.has(slug) || /^\d{4}$/.test(slug))) {
      throw new ValidationError({ slug: postMessages.slugReserved(slug) });
    }
    return kind;
  }

  /** The post with its Markdown, for the editor. */
  async function getForEditing(id: number): Promise<EditablePost> {
    const post = await repo.findById(id);
    if (!post) throw new NotFoundError(postMessages.notFound, 'post_not_found');
    return post;
  }

  // Every page view and comment looks its post up by slug; posts change only through this
  // service (and its timer), so the records are kept here and dropped when one is saved.
  const publishedBySlug = new LRUCache<string, PostRecord>({ max: 1000 });
  const changed = (...slugs: string[]) => {
    for (const slug of new Set(slugs)) {
      publishedBySlug.delete(slug);
      pageChanges.postChanged(slug);
    }
  };

  async function createPost(post: NewPost): Promise<EditablePost> {
    const created = await repo.create(toRecord(post, null));
    changed(created.slug);
    return created;
  }

  return {
    /**
     * The published post or embedded thread at `slug` (or, asked for, the page, or a post alone),
     * or a NotFoundError.
     */
    async getPublished(slug: string, kind: PostKind | 'thread' = 'thread'): Promise<PostRecord> {
      let post = publishedBySlug.get(slug);
      if (!post) {
        // No slug holds a NUL, and PostgreSQL refuses one in any text it is asked to compare.
        if (slug.includes('\0')) throw new NotFoundError(postMessages.notFound);
        post = (await repo.findPublishedBySlug(slug)) ?? undefined;
        if (!post) throw new NotFoundError(postMessages.notFound);
        publishedBySlug.set(slug, post);
      }
      if (kind === 'thread' ? !threadKinds.includes(post.kind) : post.kind !== kind)
        throw new NotFoundError(postMessages.notFound);
      return post;
    },

    /** Where an old address of a post (a renamed slug's, an imported permalink) now is: its address. */
    async movedTo(path: string): Promise<string | null> {
      if (path.includes('\0')) return null;
      const post = await repo.findRedirect(path);
      return post && postPath(post);
    },

    /** Forgets the kept post records (another process changed the database). */
    forgetKept(): void {
      publishedBySlug.clear();
    },

    /** A page of published posts, newest first. */
    async listPublished(page = 1): Promise<PostsPage> {
      return asPage(await repo.listPublished(pageOf(page)), page);
    },

    /** A page of the posts published in a month (in the site's zone); null for no such month. */
    async listMonth(year: number, month: number, page = 1): Promise<PostsPage | null> {
      const span = monthSpan(year, month, timeZone());
      return span && asPage(await repo.listPublished(pageOf(page), span), page);
    },

    /** A category or tag and a page of its published posts; null when no published post has it. */
    async listTerm(kind: TermKind, slug: string, page = 1): Promise<{ term: TermRecord; list: PostsPage } | null> {
      if (slug.includes('\0')) return null;
      const term = await repo.findTerm(kind, slug);
      if (!term) return null;
      return { term, list: asPage(await repo.listPublished(pageOf(page), null, { kind, slug }), page) };
    },

    /** A page of the published posts whose title or text holds `words`. */
    async search(words: string, page = 1): Promise<PostsPage> {
      return asPage(await repo.search(words, pageOf(page)), page);
    },

    /** Every month with a published post, newest first, with how many. */
    async archiveMonths(): Promise<ArchiveMonth[]> {
      const counts = new Map<number, number>();
      const zone = timeZone();
      for (const date of await repo.publishedDates()) {
        const { year, month } = monthOf(date, zone);
        counts.set(year * 100 + month, (counts.get(year * 100 + month) ?? 0) + 1);
      }
      return [...counts]
        .sort(([a], [b]) => b - a)
        .map(([key, count]) => {
          const year = Math.floor(key / 100);
          const month = key % 100;
          return { year, month, name: monthName(year, month), count };
        });
    },

    /** Every post, drafts and scheduled ones too, for the admin area. */
    async listAll(): Promise<AdminPostSummary[]> {
      return repo.listAll();
    },

    /** Stores a post, rendering its Markdown once, here. */
    createPost,

    getForEditing,

    /** Saves an edited post, rendering the Markdown again. */
    async updatePost(id: number, post: NewPost): Promise<EditablePost> {
      const before = await getForEditing(id);
      // An embedded page's thread has no text of its own, and is not a post to turn it into one.
      if (before.kind === embedKind) throw new ConflictError(postMessages.embedNotEditable, 'embed_not_editable');
      const updated = await repo.update(id, toRecord(post, before), before.slug);
      changed(before.slug, updated.slug);
      return updated;
    },

    /** Opens or closes the post's comments (the posts list's one-click action). */
    async setCommentsOpen(id: number, open: boolean): Promise<EditablePost> {
      const before = await getForEditing(id);
      await repo.setCommentsOpen(id, open);
      changed(before.slug);
      return { ...before, commentsOpen: open };
    },

    /** What deleting the post would take with it. */
    async deletion(id: number): Promise<PostDeletion> {
      const post = await getForEditing(id);
      const counts = await repo.commentCounts(id);
      const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
      return { post, comments: { total, approved: counts.approved ?? 0, pending: counts.pending ?? 0 } };
    },

    /** Deletes the post and its comments. */
    async deletePost(id: number): Promise<PostDeletion> {
      const told = await this.deletion(id);
      await repo.delete(id);
      changed(told.post.slug);
      return told;
    },

    /** Publishes the scheduled posts whose time has come; how many. */
    async publishDue(): Promise<number> {
      const slugs = await repo.publishDue(clock.now());
      changed(...slugs);
      return slugs.length;
    },

    /** Gives a brand-new blog something to show: one demo post, only when there is no post at all. */
    /** The first post of an empty blog, signed `authorName` (the owner's display name, when known). */
    async ensureDemoPost(authorName = demoPost.authorName): Promise<EditablePost | null> {
      if ((await repo.count()) > 0) return null;
      // Several server processes starting together on a new PostgreSQL database all find it
      // empty: the first one's demo post stands, and the others' is refused by its slug.
      return createPost({ ...demoPost, authorName }).catch((error: unknown) => {
        if (error instanceof ConflictError) return null;
        throw error;
      });
    },
  };
}
