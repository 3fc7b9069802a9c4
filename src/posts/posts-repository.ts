import type { Database } from '../db/database';

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
}

export interface PostSummary extends PostRecord {
  approvedCommentCount: number;
}

export interface NewPostRecord extends Omit<PostRecord, 'id'> {
  bodyMarkdown: string;
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
} as const;

export type PostsRepository = ReturnType<typeof createPostsRepository>;

/** Prisma access for posts; returns plain objects. */
export function createPostsRepository(db: Database) {
  return {
    async findBySlug(slug: string): Promise<PostRecord | null> {
      return db.post.findUnique({ where: { slug }, select: publicFields });
    },

    async listNewestFirst(): Promise<PostSummary[]> {
      const posts = await db.post.findMany({
        select: { ...publicFields, _count: { select: { comments: { where: { status: 'approved' } } } } },
        orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      });
      return posts.map(({ _count, ...post }) => ({ ...post, approvedCommentCount: _count.comments }));
    },

    async count(): Promise<number> {
      return db.post.count();
    },

    async create(post: NewPostRecord): Promise<PostRecord> {
      return db.post.create({ data: post, select: publicFields });
    },
  };
}
