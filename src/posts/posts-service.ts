import { LRUCache } from 'lru-cache';
import { ConflictError, NotFoundError } from '../errors';
import type { Clock } from '../shared/clock';
import { noPageChanges, type PublicPageChanges } from '../shared/page-changes';
import { demoPost } from './demo-post';
import { renderedPostBody } from './post-markdown';
import type { EditablePost, PostRecord, PostSummary, PostsRepository } from './posts-repository';
import { postMessages } from './posts-messages';

export interface NewPost {
  slug: string;
  title: string;
  bodyMarkdown: string;
  authorName: string;
  /** Now, unless given (imports and tests date their posts). */
  publishedAt?: Date;
  commentsOpen?: boolean;
}

export type PostsService = ReturnType<typeof createPostsService>;

/** Reading and writing posts; Markdown is rendered here, once per save. */
export function createPostsService({
  repo,
  clock,
  pageChanges = noPageChanges,
}: {
  repo: PostsRepository;
  clock: Clock;
  pageChanges?: PublicPageChanges;
}) {
  const rendered = (post: Omit<NewPost, 'publishedAt'>) => ({
    slug: post.slug,
    title: post.title,
    ...renderedPostBody(post.bodyMarkdown),
    authorName: post.authorName,
    commentsOpen: post.commentsOpen ?? true,
  });

  /** The post with its Markdown, for the editor. */
  async function getForEditing(id: number): Promise<EditablePost> {
    const post = await repo.findById(id);
    if (!post) throw new NotFoundError(postMessages.notFound, 'post_not_found');
    return post;
  }

  // Every page view and comment looks its post up by slug; posts change only through this
  // service, so the records are kept here and dropped when one is saved.
  const publishedBySlug = new LRUCache<string, PostRecord>({ max: 1000 });

  async function createPost(post: NewPost): Promise<PostRecord> {
    const created = await repo.create({ ...rendered(post), publishedAt: post.publishedAt ?? clock.now() });
    publishedBySlug.delete(created.slug);
    pageChanges.postChanged(created.slug);
    return created;
  }

  return {
    /** The post at `slug`, or a NotFoundError. */
    async getPublished(slug: string): Promise<PostRecord> {
      const kept = publishedBySlug.get(slug);
      if (kept) return kept;
      // No slug holds a NUL, and PostgreSQL refuses one in any text it is asked to compare.
      if (slug.includes('\0')) throw new NotFoundError(postMessages.notFound);
      const post = await repo.findBySlug(slug);
      if (!post) throw new NotFoundError(postMessages.notFound);
      publishedBySlug.set(slug, post);
      return post;
    },

    /** Forgets the kept post records (another process changed the database). */
    forgetKept(): void {
      publishedBySlug.clear();
    },

    async listNewestFirst(): Promise<PostSummary[]> {
      return repo.listNewestFirst();
    },

    /** Stores a post, rendering its Markdown once, here. */
    createPost,

    getForEditing,

    /** Saves an edited post (its publication date stays), rendering the Markdown again. */
    async updatePost(id: number, post: Omit<NewPost, 'publishedAt'>): Promise<PostRecord> {
      const before = await getForEditing(id);
      const updated = await repo.update(id, rendered(post));
      publishedBySlug.delete(before.slug);
      publishedBySlug.delete(updated.slug);
      pageChanges.postChanged(before.slug);
      pageChanges.postChanged(updated.slug);
      return updated;
    },

    /** Gives a brand-new blog something to show: one demo post, only when there is no post at all. */
    async ensureDemoPost(): Promise<PostRecord | null> {
      if ((await repo.count()) > 0) return null;
      // Several server processes starting together on a new PostgreSQL database all find it
      // empty: the first one's demo post stands, and the others' is refused by its slug.
      return createPost(demoPost).catch((error: unknown) => {
        if (error instanceof ConflictError) return null;
        throw error;
      });
    },
  };
}
