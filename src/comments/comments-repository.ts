import type { Database } from '../db/database';
import type { ArrivingComment } from '../moderation/moderation-rules';
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

/** A comment with what its author may change and the rules look at (never sent to a page as is). */
export interface AuthoredComment extends ArrivingComment {
  id: number;
  status: CommentStatus;
  createdAt: Date;
}

export interface NewCommentRecord extends ArrivingComment {
  postId: number;
  parentId: number | null;
  textHtml: string;
  status: CommentStatus;
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
    /** Stores a comment and the reason for its status in one INSERT: both or neither. */
    async create({ statusNote, ...comment }: NewCommentRecord): Promise<PublicComment> {
      return toPublic(await db.comment.create({ data: { ...comment, arrivalNote: statusNote }, select: publicFields }));
    },

    /** Whether this name and email already have an approved comment (the "known" moderation mode). */
    async hasApprovedComment(authorEmail: string, authorName: string): Promise<boolean> {
      const found = await db.comment.findFirst({ where: { authorEmail, authorName, status: 'approved' }, select: { id: true } });
      return found !== null;
    },

    /** Approved comments of a post, plus the given unapproved ones (the viewer's own), oldest first. */
    async listVisibleForPost(postId: number, ownPendingIds: readonly number[] = []): Promise<PublicComment[]> {
      // Two queries, each on an index (post+status+date, and the primary key): one query with an OR
      // across both would scan every comment of the post, held and spam included.
      const [approved, own] = await Promise.all([
        db.comment.findMany({ where: { postId, status: 'approved' }, select: publicFields, orderBy: oldestFirst }),
        ownPendingIds.length
          ? db.comment.findMany({ where: { id: { in: [...ownPendingIds] }, postId, status: { in: ['pending', 'spam'] } }, select: publicFields })
          : [],
      ]);
      if (own.length === 0) return approved.map(toPublic);
      const byDate = (a: { createdAt: Date; id: number }, b: { createdAt: Date; id: number }) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id;
      return [...approved, ...own].sort(byDate).map(toPublic);
    },

    /** How many threads the public sees under a post: approved comments without a visible parent. */
    async countApprovedThreads(postId: number): Promise<number> {
      return db.comment.count({
        where: { postId, status: 'approved', OR: [{ parentId: null }, { parent: { status: { not: 'approved' } } }] },
      });
    },

    /** Whether this email already said exactly this on this post (trash aside, as WordPress does). */
    async hasDuplicate(postId: number, authorEmail: string, text: string): Promise<boolean> {
      const found = await db.comment.findFirst({ where: { postId, authorEmail, text, status: { not: 'trash' } }, select: { id: true } });
      return found !== null;
    },

    /** When this IP address or email last commented, if since `since`. */
    async lastCommentTime(ipAddress: string | null, authorEmail: string, since: Date): Promise<Date | null> {
      const senders = [{ authorEmail }, ...(ipAddress ? [{ ipAddress }] : [])];
      const latest = await db.comment.findFirst({
        where: { createdAt: { gte: since }, OR: senders },
        orderBy: { createdAt: 'desc' },
        select: { createdAt: true },
      });
      return latest?.createdAt ?? null;
    },

    async findAuthored(id: number, postId: number): Promise<AuthoredComment | null> {
      const row = await db.comment.findFirst({
        where: { id, postId },
        select: { id: true, status: true, authorName: true, authorEmail: true, authorUrl: true, text: true, ipAddress: true, userAgent: true, createdAt: true },
      });
      return row && { ...row, status: row.status as CommentStatus };
    },

    /** Replaces the text (by its author); a status change it causes is recorded with the note. */
    async updateText(id: number, change: { text: string; textHtml: string; from: CommentStatus; to: CommentStatus; note: string }): Promise<void> {
      await db.comment.update({
        where: { id },
        data: {
          text: change.text,
          textHtml: change.textHtml,
          status: change.to,
          ...(change.from !== change.to
            ? { statusChanges: { create: { fromStatus: change.from, toStatus: change.to, actor: 'author', note: change.note } } }
            : {}),
        },
      });
    },

    async delete(id: number): Promise<void> {
      await db.comment.delete({ where: { id } });
    },

    async findInPost(id: number, postId: number): Promise<PublicComment | null> {
      const row = await db.comment.findFirst({ where: { id, postId }, select: publicFields });
      return row && toPublic(row);
    },
  };
}
