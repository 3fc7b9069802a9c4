import { dialectOf, type Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';
import { ConflictError } from '../errors';
import { postMessages } from './posts-messages';
import type { PostStatus } from './post-status';

/** A post as the public pages need it. */
export interface PostRecord {
  id: number;
  slug: string;
  title: string;
  bodyHtml: string;
  excerpt: string;
  authorName: string;
  publishedAt: Date;
  commentsOpen: boolean;
  /** post | page (src/posts/post-status.ts). */
  kind: string;
}

export interface PostSummary extends PostRecord {
  approvedCommentCount: number;
}

/** A post as the admin area lists it: any status. */
export interface AdminPostSummary extends PostSummary {
  status: PostStatus;
}

/** A post as the editor needs it: with its Markdown and where it stands. */
export interface EditablePost extends PostRecord {
  bodyMarkdown: string;
  status: PostStatus;
  /** Whether publishedAt was chosen (or the post published); false: a draft's last save time. */
  dateChosen: boolean;
}

export type NewPostRecord = Omit<EditablePost, 'id'>;

/** A unique-constraint failure on insert or update can only be the slug. */
function translateSlugConflict(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
    throw new ConflictError(postMessages.slugTaken, 'slug_taken', { slug: postMessages.slugTaken });
  }
  throw error;
}

const publicFields = {
  id: true,
  slug: true,
  title: true,
  bodyHtml: true,
  excerpt: true,
  authorName: true,
  publishedAt: true,
  commentsOpen: true,
  kind: true,
} as const;
const editableFields = { ...publicFields, bodyMarkdown: true, status: true, dateChosen: true } as const;

const published = { status: 'published' } as const;
/** Published posts, not pages: what lists, archives and feeds show. */
const publishedPosts = { status: 'published', kind: 'post' } as const;
const newestFirst = [{ publishedAt: 'desc' }, { id: 'desc' }] as const;

const asEditable = <T extends { status: string }>(post: T) => ({ ...post, status: post.status as PostStatus });

const summaryOf = ({ approvedComments, ...post }: PostRecord & { approvedComments: number }): PostSummary => ({
  ...post,
  approvedCommentCount: approvedComments,
});

/** The path an old slug's address had; redirected to the post forever. */
export const slugPath = (slug: string): string => `/posts/${slug}`;

export type PostsRepository = ReturnType<typeof createPostsRepository>;

/** Prisma access for posts; returns plain objects. */
export function createPostsRepository(db: Database) {
  const dialect = dialectOf(db);
  return {
    /** The published post at `slug`, or null (a draft or scheduled post is not there yet). */
    async findPublishedBySlug(slug: string): Promise<PostRecord | null> {
      return db.post.findFirst({ where: { slug, ...published }, select: publicFields });
    },

    /**
     * A page of published posts, newest first, with their approved comments' count (kept on the
     * post, not counted), and how many there are; within [from, to) when given.
     */
    async listPublished(
      { skip, take }: { skip: number; take: number },
      within: { from: Date; to: Date } | null = null,
    ): Promise<{ posts: PostSummary[]; total: number }> {
      const where = { ...publishedPosts, ...(within ? { publishedAt: { gte: within.from, lt: within.to } } : {}) };
      const [posts, total] = await Promise.all([
        db.post.findMany({
          where,
          select: { ...publicFields, approvedComments: true },
          orderBy: [...newestFirst],
          skip,
          take,
        }),
        db.post.count({ where }),
      ]);
      return { posts: posts.map(summaryOf), total };
    },

    /**
     * A page of the published posts whose title or text holds `words` (ASCII case aside; % and _
     * as typed), newest first, and how many there are.
     */
    async search(words: string, { skip, take }: { skip: number; take: number }) {
      const pattern = `%${words.replaceAll('\0', '').replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      const holds = (column: string) =>
        Prisma.sql`${Prisma.raw(`"${column}"`)} ${dialect.likeAnyCase} ${pattern} ESCAPE '\\'`;
      const where = Prisma.sql`status = 'published' AND kind = 'post' AND (${holds('title')} OR ${holds('bodyMarkdown')})`;
      const [page, [count]] = await Promise.all([
        db.$queryRaw<{ id: number }[]>(
          Prisma.sql`SELECT id FROM "Post" WHERE ${where} ORDER BY "publishedAt" DESC, id DESC LIMIT ${take} OFFSET ${skip}`,
        ),
        db.$queryRaw<{ total: bigint | number }[]>(Prisma.sql`SELECT COUNT(*) AS total FROM "Post" WHERE ${where}`),
      ]);
      const rows = await db.post.findMany({
        where: { id: { in: page.map((row) => row.id) } },
        select: { ...publicFields, approvedComments: true },
        orderBy: [...newestFirst],
      });
      return { posts: rows.map(summaryOf), total: Number(count?.total ?? 0) };
    },

    /** When each published post was published: the archive's months are counted from them. */
    async publishedDates(): Promise<Date[]> {
      const rows = await db.post.findMany({ where: publishedPosts, select: { publishedAt: true } });
      return rows.map((row) => row.publishedAt);
    },

    /** Every post, whatever its status, newest (or latest to come) first. */
    async listAll(): Promise<AdminPostSummary[]> {
      const posts = await db.post.findMany({
        select: { ...publicFields, status: true, approvedComments: true },
        orderBy: [...newestFirst],
      });
      return posts.map(({ approvedComments, ...post }) => ({
        ...asEditable(post),
        approvedCommentCount: approvedComments,
      }));
    },

    async count(): Promise<number> {
      return db.post.count();
    },

    async findById(id: number): Promise<EditablePost | null> {
      const post = await db.post.findUnique({ where: { id }, select: editableFields });
      return post && asEditable(post);
    },

    async create(post: NewPostRecord): Promise<EditablePost> {
      return asEditable(await db.post.create({ data: post, select: editableFields }).catch(translateSlugConflict));
    },

    /**
     * Saves the post. When its slug changes, its old address is kept to redirect from, and the
     * new one no longer redirects (a slug given back to the post it was taken from).
     */
    async update(id: number, post: NewPostRecord, oldSlug: string): Promise<EditablePost> {
      const updated = await db
        .$transaction(async (tx) => {
          if (post.slug !== oldSlug) {
            // Its own old address given back to it; another post's stays theirs (a live post wins).
            await tx.postRedirect.deleteMany({ where: { path: slugPath(post.slug), postId: id } });
            // Its old address leads to it, unless it was another post's before (then it stays theirs).
            const taken = await tx.postRedirect.findUnique({ where: { path: slugPath(oldSlug) } });
            if (!taken) await tx.postRedirect.create({ data: { path: slugPath(oldSlug), postId: id } });
          }
          return tx.post.update({ where: { id }, data: post, select: editableFields });
        })
        .catch(translateSlugConflict);
      return asEditable(updated);
    },

    /** How many comments the post has, by status (told before it is deleted). */
    async commentCounts(postId: number): Promise<Record<string, number>> {
      const groups = await db.comment.groupBy({ by: ['status'], where: { postId }, _count: { _all: true } });
      return Object.fromEntries(groups.map((group) => [group.status, group._count._all]));
    },

    /** Deletes the post, and with it its comments, subscriptions and old addresses. */
    async delete(id: number): Promise<void> {
      await db.post.delete({ where: { id } });
    },

    /** Publishes every scheduled post whose time has come; their slugs. */
    async publishDue(now: Date): Promise<string[]> {
      const due = await db.post.findMany({
        where: { status: 'scheduled', publishedAt: { lte: now } },
        select: { id: true, slug: true },
      });
      const slugs: string[] = [];
      for (const post of due) {
        // Only one of several server processes publishes each: the one whose update finds it still scheduled.
        const { count } = await db.post.updateMany({
          where: { id: post.id, status: 'scheduled' },
          data: { status: 'published' },
        });
        if (count === 1) slugs.push(post.slug);
      }
      return slugs;
    },

    /** The post an old address now belongs to, if it is published. */
    async findRedirect(path: string): Promise<{ slug: string; kind: string } | null> {
      const redirect = await db.postRedirect.findUnique({
        where: { path },
        select: { post: { select: { slug: true, kind: true, status: true } } },
      });
      return redirect?.post.status === 'published' ? { slug: redirect.post.slug, kind: redirect.post.kind } : null;
    },
  };
}
