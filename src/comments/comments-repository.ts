import type { Database } from '../db/database';
import type { CommentStatus } from './comment-status';

/**
 * A comment as public pages may show it: no email, IP or user agent, and no moderation verdict
 * beyond approved or not (a submitter whose comment went to spam sees it as awaiting moderation).
 */
export interface PublicComment {
  id: number;
  parentId: number | null;
  authorName: string;
  authorUrl: string | null;
  text: string;
  textHtml: string;
  status: 'approved' | 'pending';
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
  /** Why the rules gave it its status; the first entry of its status history. */
  statusNote: string;
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
  return { ...row, status: row.status === 'approved' ? 'approved' : 'pending' };
}

export type CommentsRepository = ReturnType<typeof createCommentsRepository>;

/** Prisma access for comments; returns plain objects. */
export function createCommentsRepository(db: Database) {
  return {
    async create({ statusNote, ...comment }: NewCommentRecord): Promise<PublicComment> {
      const created = await db.comment.create({
        data: { ...comment, statusChanges: { create: { fromStatus: null, toStatus: comment.status, actor: 'rules', note: statusNote } } },
        select: publicFields,
      });
      return toPublic(created);
    },

    /** Whether this name and email already have an approved comment (the "known" moderation mode). */
    async hasApprovedComment(authorEmail: string, authorName: string): Promise<boolean> {
      const found = await db.comment.findFirst({ where: { authorEmail, authorName, status: 'approved' }, select: { id: true } });
      return found !== null;
    },

    /** Approved comments of a post, plus the given unapproved ones (the viewer's own), oldest first. */
    async listVisibleForPost(postId: number, ownPendingIds: readonly number[] = []): Promise<PublicComment[]> {
      const rows = await db.comment.findMany({
        where: {
          postId,
          OR: [{ status: 'approved' }, ...(ownPendingIds.length ? [{ status: { in: ['pending', 'spam'] }, id: { in: [...ownPendingIds] } }] : [])],
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
