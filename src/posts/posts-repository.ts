import type { Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';
import { ConflictError } from '../errors';
import { postMessages } from './posts-messages';

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

/** A post as the editor needs it: with its Markdown. */
export interface EditablePost extends PostRecord {
  bodyMarkdown: string;
}

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
} as const;

export type PostsRepository = ReturnType<typeof createPostsRepository>;

/** Prisma access for posts; returns plain objects. */
export function createPostsRepository(db: Database) {
  return {
    async findBySlug(slug: string): Promise<PostRecord | null> {
      return db.post.findUnique({ where: { slug }, select: publicFields });
    },

    /** Every post, newest first, with its approved comments' count (kept on the post, not counted). */
    async listNewestFirst(): Promise<PostSummary[]> {
      const posts = await db.post.findMany({
        select: { ...publicFields, approvedComments: true },
        orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      });
      return posts.map(({ approvedComments, ...post }) => ({ ...post, approvedCommentCount: approvedComments }));
    },

    async count(): Promise<number> {
      return db.post.count();
    },

    async findById(id: number): Promise<EditablePost | null> {
      return db.post.findUnique({ where: { id }, select: { ...publicFields, bodyMarkdown: true } });
    },

    async create(post: NewPostRecord): Promise<PostRecord> {
      return db.post.create({ data: post, select: publicFields }).catch(translateSlugConflict);
    },

    async update(id: number, post: Omit<NewPostRecord, 'publishedAt'>): Promise<PostRecord> {
      return db.post.update({ where: { id }, data: post, select: publicFields }).catch(translateSlugConflict);
    },
  };
}
