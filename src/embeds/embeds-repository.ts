import { createHash } from 'node:crypto';
import type { Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';
import { embedKind } from '../posts/post-status';
import { postLimits, slugFrom } from '../posts/posts-schema';

/** An embedded page's thread: the post that holds its comments. */
export interface EmbedThread {
  id: number;
  slug: string;
  title: string;
  embedUrl: string;
  approvedComments: number;
}

const threadFields = { id: true, slug: true, title: true, embedUrl: true, approvedComments: true } as const;

const asThread = (row: { embedUrl: string | null } & Omit<EmbedThread, 'embedUrl'>): EmbedThread => ({
  ...row,
  embedUrl: row.embedUrl ?? '',
});

/**
 * A thread's slug: the page's last path word (or its host) and 64 bits of a digest of its whole
 * address, so the same page always gets the same, and no one can find another address that takes
 * a page's slug first.
 */
export function threadSlugOf(pageUrl: string): string {
  const url = new URL(pageUrl);
  const last = url.pathname.split('/').filter(Boolean).at(-1) ?? '';
  let word: string;
  try {
    word = slugFrom(decodeURIComponent(last));
  } catch {
    word = slugFrom(last); // a stray % that escapes nothing
  }
  word ||= slugFrom(url.hostname);
  const digest = createHash('sha256').update(pageUrl).digest('hex').slice(0, 16);
  return `${word.slice(0, postLimits.slug - 17).replace(/-+$/, '') || 'page'}-${digest}`;
}

export type EmbedsRepository = ReturnType<typeof createEmbedsRepository>;

/** Prisma access for embedded pages' threads (posts of kind "embed"). */
export function createEmbedsRepository(db: Database) {
  return {
    /** The thread of the page at this address, or the one it was moved or merged into. */
    async findByUrl(pageUrl: string): Promise<EmbedThread | null> {
      const row = await db.post.findUnique({ where: { embedUrl: pageUrl }, select: threadFields });
      if (row) return asThread(row);
      const moved = await db.postRedirect.findUnique({
        where: { path: pageUrl },
        select: { post: { select: threadFields } },
      });
      return moved?.post.embedUrl ? asThread(moved.post) : null;
    },

    async findById(id: number): Promise<EmbedThread | null> {
      const row = await db.post.findFirst({ where: { id, kind: embedKind }, select: threadFields });
      return row && asThread(row);
    },

    /** Every embedded page's thread, by address. */
    async list(): Promise<EmbedThread[]> {
      const rows = await db.post.findMany({
        where: { kind: embedKind },
        select: threadFields,
        orderBy: { embedUrl: 'asc' },
      });
      return rows.map(asThread);
    },

    /**
     * Gives a thread a new address (its site moved); the old one still finds it. False if another
     * thread has the new address (merge them instead).
     */
    async changeUrl(id: number, pageUrl: string): Promise<boolean> {
      const holder = await this.findByUrl(pageUrl);
      if (holder && holder.id !== id) return false;
      if (holder?.embedUrl === pageUrl) return true; // its address already
      try {
        await db.$transaction(async (tx) => {
          const { embedUrl } = await tx.post.findUniqueOrThrow({ where: { id }, select: { embedUrl: true } });
          await tx.postRedirect.deleteMany({ where: { path: pageUrl } });
          await tx.post.update({ where: { id }, data: { embedUrl: pageUrl } });
          if (embedUrl) await tx.postRedirect.create({ data: { path: embedUrl, postId: id } });
        });
        return true;
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return false;
        throw error;
      }
    },

    /**
     * Moves every comment (and reply subscription, and old address) of thread `fromId` into
     * `intoId`, then deletes `fromId`, whose address then finds `intoId`. The post's counts are
     * counted again (the triggers count status changes, not moves).
     */
    async merge(fromId: number, intoId: number): Promise<void> {
      await db.$transaction(async (tx) => {
        const from = await tx.post.findUniqueOrThrow({ where: { id: fromId }, select: { embedUrl: true } });
        await tx.comment.updateMany({ where: { postId: fromId }, data: { postId: intoId } });
        const kept = await tx.subscription.findMany({ where: { postId: intoId }, select: { emailKey: true } });
        await tx.subscription.deleteMany({
          where: { postId: fromId, emailKey: { in: kept.map((row) => row.emailKey) } },
        });
        await tx.subscription.updateMany({ where: { postId: fromId }, data: { postId: intoId } });
        await tx.postRedirect.updateMany({ where: { postId: fromId }, data: { postId: intoId } });
        await tx.post.delete({ where: { id: fromId } });
        if (from.embedUrl) await tx.postRedirect.create({ data: { path: from.embedUrl, postId: intoId } });
        await tx.$executeRaw`UPDATE "Post" SET
          "approvedComments" = (SELECT COUNT(*) FROM "Comment" c WHERE c."postId" = "Post"."id" AND c."status" = 'approved'),
          "approvedThreads" = (
            SELECT COUNT(*) FROM "Comment" c WHERE c."postId" = "Post"."id" AND c."status" = 'approved'
              AND NOT EXISTS (SELECT 1 FROM "Comment" p WHERE p."id" = c."parentId" AND p."postId" = c."postId"
                AND p."status" = 'approved' AND (p."createdAt" < c."createdAt" OR (p."createdAt" = c."createdAt" AND p."id" < c."id")))
          )
          WHERE "id" = ${intoId}`;
      });
    },

    /** The page's thread, made now if it has none (another request may make it at the same moment). */
    async findOrCreate(
      pageUrl: string,
      title: string,
      authorName: string,
      now: Date,
    ): Promise<{ thread: EmbedThread; created: boolean }> {
      const found = await this.findByUrl(pageUrl);
      if (found) return { thread: found, created: false };
      try {
        const row = await db.post.create({
          data: {
            slug: threadSlugOf(pageUrl),
            title: title.slice(0, postLimits.title),
            bodyMarkdown: '',
            bodyHtml: '',
            excerpt: '',
            authorName,
            publishedAt: now,
            status: 'published',
            kind: embedKind,
            embedUrl: pageUrl,
          },
          select: threadFields,
        });
        return { thread: asThread(row), created: true };
      } catch (error) {
        // Made by another request meanwhile: theirs stands.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          const made = await this.findByUrl(pageUrl);
          if (made) return { thread: made, created: false };
        }
        throw error;
      }
    },

    /** Takes away a thread made for a comment that was then refused, if nothing has joined it since. */
    async deleteIfEmpty(id: number): Promise<boolean> {
      const { count } = await db.post.deleteMany({ where: { id, kind: embedKind, comments: { none: {} } } });
      return count > 0;
    },

    /** A thread's title, as the moderator writes it. */
    async retitle(id: number, title: string): Promise<void> {
      await db.post.update({ where: { id }, data: { title } });
    },

    /**
     * The approved comments of each page that has a thread, by its address: its own, or one it had
     * before it moved or was merged.
     */
    async approvedCounts(pageUrls: string[]): Promise<Map<string, number>> {
      const rows = await db.post.findMany({
        where: { embedUrl: { in: pageUrls }, status: 'published' },
        select: { embedUrl: true, approvedComments: true },
      });
      const counts = new Map(rows.map((row) => [row.embedUrl ?? '', row.approvedComments]));
      const moved = pageUrls.filter((url) => !counts.has(url));
      if (moved.length > 0) {
        const redirects = await db.postRedirect.findMany({
          where: { path: { in: moved }, post: { kind: embedKind, status: 'published' } },
          select: { path: true, post: { select: { approvedComments: true } } },
        });
        for (const { path, post } of redirects) counts.set(path, post.approvedComments);
      }
      return counts;
    },
  };
}
