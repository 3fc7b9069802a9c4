import type { Database } from '../db/database';
import type { CommentStatus } from './comment-status';

/** A comment as public pages may show it: no email, IP or user agent. */
export interface PublicComment {
  id: number;
  parentId: number | null;
  authorName: string;
  authorUrl: string | null;
  text: string;
  textHtml: string;
  status: CommentStatus;
  createdAt: Date;
}

export interface NewCommentRecord {
  postId: number;
  parentId: number | null;
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  text: string;
  textHtml: string;
  status: CommentStatus;
  ipAddress: string | null;
  userAgent: string | null;
}

// Selecting only these columns is what keeps email, IP and user agent out of every public view.
const publicFields = {
  id: true,
  parentId: true,
  authorName: true,
  authorUrl: true,
  text: true,
  textHtml: true,
  status: true,
  createdAt: true,
} as const;

const oldestFirst = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

function toPublic(row: Omit<PublicComment, 'status'> & { status: string }): PublicComment {
  return { ...row, status: row.status as CommentStatus };
}

export type CommentsRepository = ReturnType<typeof createCommentsRepository>;

/** Prisma access for comments; returns plain objects. */
export function createCommentsRepository(db: Database) {
  return {
    async create(comment: NewCommentRecord): Promise<PublicComment> {
      return toPublic(await db.comment.create({ data: comment, select: publicFields }));
    },

    /** Approved comments of a post, plus the given pending ones (the viewer's own), oldest first. */
    async listVisibleForPost(postId: number, ownPendingIds: readonly number[] = []): Promise<PublicComment[]> {
      const rows = await db.comment.findMany({
        where: {
          postId,
          OR: [{ status: 'approved' }, ...(ownPendingIds.length ? [{ status: 'pending', id: { in: [...ownPendingIds] } }] : [])],
        },
        select: publicFields,
        orderBy: oldestFirst,
      });
      return rows.map(toPublic);
    },

    async findInPost(id: number, postId: number): Promise<PublicComment | null> {
      const row = await db.comment.findFirst({ where: { id, postId }, select: publicFields });
      return row && toPublic(row);
    },
  };
}
