import type { Database } from '../db/database';

/** A post with everything marginalia keeps about it. */
export interface ExportedPost {
  id: number;
  sourceId: string | null;
  slug: string;
  title: string;
  bodyMarkdown: string;
  bodyHtml: string;
  authorName: string;
  publishedAt: Date;
  commentsOpen: boolean;
  /** draft | scheduled | published */
  status: string;
  /** post | page | embed */
  kind: string;
  /** An embedded thread's page (on another site); null for a post or page. */
  embedUrl: string | null;
  dateChosen: boolean;
  /** Its old addresses, redirected to it. */
  redirects: string[];
  /** Its categories' and tags' names. */
  categories: string[];
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** A comment with everything marginalia keeps about it, moderator-only fields included. */
export interface ExportedComment {
  id: number;
  sourceId: string | null;
  postId: number;
  parentId: number | null;
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  text: string;
  status: string;
  ipAddress: string | null;
  userAgent: string | null;
  arrivalNote: string | null;
  /** Written by the post's author, signed in. */
  byPostAuthor: boolean;
  /** Pinned by the moderator, since then; no replies under it; erased by its author (a placeholder). */
  pinnedAt: Date | null;
  repliesLocked: boolean;
  erased: boolean;
  /** The spam filter's score when it arrived, and why (moderator-only, as stored); what it learned from it. */
  spamScore: number | null;
  spamReasons: string | null;
  spamLabel: string | null;
  createdAt: Date;
  updatedAt: Date;
  statusChanges: { fromStatus: string; toStatus: string; actor: string; note: string | null; createdAt: Date }[];
}

export type ExportsRepository = ReturnType<typeof createExportsRepository>;

/** Prisma reads for exports: everything, a post at a time, so memory stays bounded. */
export function createExportsRepository(db: Database) {
  return {
    /** Every post, oldest id first, read in pages. */
    async *posts(): AsyncGenerator<ExportedPost> {
      for (let after = 0; ;) {
        const page = await db.post.findMany({
          where: { id: { gt: after } },
          orderBy: { id: 'asc' },
          take: 100,
          select: {
            id: true,
            sourceId: true,
            slug: true,
            title: true,
            bodyMarkdown: true,
            bodyHtml: true,
            authorName: true,
            publishedAt: true,
            commentsOpen: true,
            status: true,
            kind: true,
            embedUrl: true,
            dateChosen: true,
            redirects: { select: { path: true }, orderBy: { createdAt: 'asc' } },
            terms: { select: { term: { select: { kind: true, name: true } } } },
            createdAt: true,
            updatedAt: true,
          },
        });
        if (page.length === 0) return;
        yield* page.map(({ redirects, terms, ...post }) => ({
          ...post,
          redirects: redirects.map(({ path }) => path),
          categories: terms.filter(({ term }) => term.kind === 'category').map(({ term }) => term.name),
          tags: terms.filter(({ term }) => term.kind === 'tag').map(({ term }) => term.name),
        }));
        after = page.at(-1)!.id;
      }
    },

    /**
     * A post's comments, oldest first, with their status history. The histories are read for 500
     * comments at a time: one query for all of a large post's would bind more values than Prisma
     * sends SQLite in one statement (999).
     */
    async commentsOf(postId: number): Promise<ExportedComment[]> {
      const comments = await db.comment.findMany({
        where: { postId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: {
          id: true,
          sourceId: true,
          postId: true,
          parentId: true,
          authorName: true,
          authorEmail: true,
          authorUrl: true,
          text: true,
          status: true,
          ipAddress: true,
          userAgent: true,
          arrivalNote: true,
          byPostAuthor: true,
          pinnedAt: true,
          repliesLocked: true,
          erased: true,
          spamScore: true,
          spamReasons: true,
          spamLabel: true,
          createdAt: true,
          updatedAt: true,
        },
      });
      const histories = new Map<number, ExportedComment['statusChanges']>();
      for (let from = 0; from < comments.length; from += 500) {
        const changes = await db.commentStatusChange.findMany({
          where: { commentId: { in: comments.slice(from, from + 500).map((comment) => comment.id) } },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          select: { commentId: true, fromStatus: true, toStatus: true, actor: true, note: true, createdAt: true },
        });
        for (const { commentId, ...change } of changes) {
          const history = histories.get(commentId) ?? [];
          history.push(change);
          histories.set(commentId, history);
        }
      }
      return comments.map((comment) => ({ ...comment, statusChanges: histories.get(comment.id) ?? [] }));
    },

    /**
     * What names this database in exports: the id Prisma gave its first migration (a UUID made when
     * the database was created), so imports can tell two marginalia blogs apart.
     */
    async origin(): Promise<string> {
      const rows = await db.$queryRaw<
        { id: string }[]
      >`SELECT id FROM _prisma_migrations ORDER BY started_at, id LIMIT 1`;
      return rows[0]?.id ?? 'unknown';
    },
  };
}
