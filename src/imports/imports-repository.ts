import { dialectOf, type Database } from '../db/database';
import type { Prisma } from '../generated/prisma/client';
import type { CommentStatus } from '../shared/comment-status';
import type { embedKind, PostKind, PostStatus } from '../posts/post-status';
import { slugFrom } from '../posts/posts-schema';
import { clientAddressOf, clientNetworkOf } from '../shared/client-network';

export interface ImportedPostRecord {
  sourceId: string;
  slug: string;
  title: string;
  bodyMarkdown: string;
  bodyHtml: string;
  excerpt: string;
  authorName: string;
  publishedAt: Date;
  commentsOpen: boolean;
  /** Published unless given. */
  status?: PostStatus;
  /** A post unless given. */
  kind?: PostKind | typeof embedKind;
  /** An embedded thread's page (kind embed). */
  embedUrl?: string | null;
  dateChosen?: boolean;
  /** Old addresses of the post (a WordPress permalink, a renamed slug's) to redirect from. */
  redirects?: readonly string[];
  /** Its categories' and tags' names. */
  categories?: readonly string[];
  tags?: readonly string[];
}

export interface ImportedCommentRecord {
  sourceId: string;
  postId: number;
  parentId: number | null;
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  text: string;
  textHtml: string;
  status: CommentStatus;
  ipAddress: string | null;
  userAgent?: string | null;
  createdAt: Date;
  /** Null for an erased comment (its note told of its words). */
  arrivalNote: string | null;
  /** Written by the post's author (a marginalia export says so). */
  byPostAuthor?: boolean;
  /** A marginalia export's pins, locks and erased placeholders. */
  pinnedAt?: Date | null;
  repliesLocked?: boolean;
  erased?: boolean;
  /** A marginalia export's spam scores, and what its filter learned from the comment. */
  spamScore?: number | null;
  spamReasons?: string | null;
  spamLabel?: 'spam' | 'ham' | null;
}

/** Writes for one import, all inside one transaction. */
export type ImportWriter = ReturnType<typeof importWriter>;

function importWriter(tx: Prisma.TransactionClient) {
  return {
    async findPostBySource(sourceId: string): Promise<{ id: number; slug: string } | null> {
      return tx.post.findUnique({ where: { sourceId }, select: { id: true, slug: true } });
    },

    /** The thread of an embedded page already here (its address, or one it was moved from). */
    async findThreadByUrl(pageUrl: string): Promise<{ id: number; slug: string } | null> {
      const thread = await tx.post.findUnique({ where: { embedUrl: pageUrl }, select: { id: true, slug: true } });
      if (thread) return thread;
      const moved = await tx.postRedirect.findUnique({
        where: { path: pageUrl },
        select: { post: { select: { id: true, slug: true } } },
      });
      return moved?.post ?? null;
    },

    async findPostBySlug(slug: string): Promise<{ id: number; slug: string } | null> {
      return tx.post.findUnique({ where: { slug }, select: { id: true, slug: true } });
    },

    async isSlugTaken(slug: string): Promise<boolean> {
      return (await tx.post.findUnique({ where: { slug }, select: { id: true } })) !== null;
    },

    /** Stores the post, and those of its old addresses no other post has. */
    async createPost({
      redirects = [],
      categories = [],
      tags = [],
      ...post
    }: ImportedPostRecord): Promise<{ id: number; slug: string }> {
      const created = await tx.post.create({ data: post, select: { id: true, slug: true } });
      for (const [kind, names] of [
        ['category', categories],
        ['tag', tags],
      ] as const) {
        const bySlug = new Map(names.map((name) => [slugFrom(name), name] as const).filter(([slug]) => slug !== ''));
        for (const [slug, name] of bySlug) {
          const term = await tx.term.upsert({
            where: { kind_slug: { kind, slug } },
            create: { kind, name, slug },
            update: {},
            select: { id: true },
          });
          await tx.postTerm.create({ data: { postId: created.id, termId: term.id } });
        }
      }
      for (const path of new Set(redirects)) {
        if (await tx.postRedirect.findUnique({ where: { path }, select: { path: true } })) continue;
        await tx.postRedirect.create({ data: { path, postId: created.id } });
      }
      return created;
    },

    /** The ids here of comments already imported, by their source ids. */
    async commentIdsBySource(sourceIds: readonly string[]): Promise<Map<string, number>> {
      const found: { id: number; sourceId: string | null }[] = [];
      // SQLite limits bound parameters per statement; ask in slices.
      for (let at = 0; at < sourceIds.length; at += 500) {
        found.push(
          ...(await tx.comment.findMany({
            where: { sourceId: { in: sourceIds.slice(at, at + 500) } },
            select: { id: true, sourceId: true },
          })),
        );
      }
      return new Map(found.map((row) => [row.sourceId!, row.id]));
    },

    async createComment(comment: ImportedCommentRecord): Promise<number> {
      // Addresses as people read them (an export may hold IPv4 clients in the ::ffff: form).
      const data = {
        ...comment,
        ipAddress: clientAddressOf(comment.ipAddress),
        clientNetwork: clientNetworkOf(comment.ipAddress),
      };
      return (await tx.comment.create({ data, select: { id: true } })).id;
    },

    async addStatusHistory(
      commentId: number,
      changes: { fromStatus: string; toStatus: string; actor: string; note: string | null; createdAt: Date }[],
    ): Promise<void> {
      if (changes.length)
        await tx.commentStatusChange.createMany({ data: changes.map((change) => ({ ...change, commentId })) });
    },

    async setParent(id: number, parentId: number): Promise<void> {
      await tx.comment.update({ where: { id }, data: { parentId }, select: { id: true } });
    },
  };
}

/** Thrown inside the transaction to roll a dry run back after it has done everything else. */
class DryRunRollback extends Error {}

/**
 * Runs `work` in one transaction: everything it writes, or nothing (a malformed file found
 * halfway rolls back). With `dryRun`, it runs to the end and is rolled back anyway.
 */
export async function inImportTransaction<T>(
  db: Database,
  dryRun: boolean,
  work: (writer: ImportWriter) => Promise<T>,
): Promise<T> {
  let result: T | undefined;
  try {
    const onPostgres = dialectOf(db).engine === 'postgres';
    await db.$transaction(
      async (tx) => {
        // PostgreSQL's comment-count triggers wait, and every post is counted once at the end
        // (see its migration): per comment, they would make a large import quadratic.
        if (onPostgres) await tx.$executeRaw`SELECT set_config('marginalia.comment_counts', 'deferred', true)`;
        result = await work(importWriter(tx));
        if (onPostgres) {
          await tx.$executeRaw`SELECT set_config('marginalia.comment_counts', '', true)`;
          await tx.$executeRaw`SELECT "Post_recount"(ARRAY(SELECT id FROM "Post"))`;
        }
        if (dryRun) throw new DryRunRollback();
      },
      // A large export takes minutes; the default five seconds would abort it.
      { timeout: 24 * 3_600_000, maxWait: 60_000 },
    );
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return result as T;
}
