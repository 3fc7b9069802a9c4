import { dialectOf, type Database } from '../db/database';
import { Prisma } from '../generated/prisma/client';
import { ConflictError } from '../errors';
import { postMessages } from './posts-messages';
import type { PostStatus, TermKind, TermRecord } from './post-status';

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
  /** post | page | embed (src/posts/post-status.ts). */
  kind: string;
  /** An embedded thread's page (on another site); null for our own posts. */
  embedUrl: string | null;
}

export interface PostSummary extends PostRecord {
  approvedCommentCount: number;
}

/** A post as the admin area lists it: any status. */
export interface AdminPostSummary extends PostSummary {
  status: PostStatus;
}

/** A post's categories and tags. */
export interface PostTerms {
  categories: TermRecord[];
  tags: TermRecord[];
}

/** A post as the editor needs it: with its Markdown, where it stands, and its terms. */
export interface EditablePost extends PostRecord, PostTerms {
  bodyMarkdown: string;
  status: PostStatus;
  /** Whether publishedAt was chosen (or the post published); false: a draft's last save time. */
  dateChosen: boolean;
}

export type NewPostRecord = Omit<EditablePost, 'id' | 'embedUrl'>;

const termsSelect = {
  terms: { select: { term: { select: { kind: true, name: true, slug: true } } } },
} as const;

/** A post's terms as two lists, from the rows Prisma reads. */
function termsOf(rows: { term: { kind: string; name: string; slug: string } }[]): PostTerms {
  // In alphabetical order as people read it (the engines sort text each their own way).
  const of = (kind: TermKind) =>
    rows
      .filter((row) => row.term.kind === kind)
      .map(({ term }) => ({ name: term.name, slug: term.slug }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return { categories: of('category'), tags: of('tag') };
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
  kind: true,
  embedUrl: true,
} as const;
const editableFields = { ...publicFields, bodyMarkdown: true, status: true, dateChosen: true, ...termsSelect } as const;

const published = { status: 'published' } as const;
/** Published posts, not pages: what lists, archives and feeds show. */
const publishedPosts = { status: 'published', kind: 'post' } as const;
const newestFirst = [{ publishedAt: 'desc' }, { id: 'desc' }] as const;

const asEditable = <T extends { status: string; terms: { term: { kind: string; name: string; slug: string } }[] }>({
  terms,
  ...post
}: T) => ({ ...post, status: post.status as PostStatus, ...termsOf(terms) });

const summaryOf = ({ approvedComments, ...post }: PostRecord & { approvedComments: number }): PostSummary => ({
  ...post,
  approvedCommentCount: approvedComments,
});

/** Sets the post's categories and tags to these (each made once, found by its slug after). */
async function setTerms(tx: Prisma.TransactionClient, postId: number, terms: PostTerms): Promise<void> {
  await tx.postTerm.deleteMany({ where: { postId } });
  for (const [kind, list] of [
    ['category', terms.categories],
    ['tag', terms.tags],
  ] as const) {
    for (const { name, slug } of list) {
      const term = await tx.term.upsert({
        where: { kind_slug: { kind, slug } },
        create: { kind, name, slug },
        update: {},
        select: { id: true },
      });
      await tx.postTerm.create({ data: { postId, termId: term.id } });
    }
  }
}

/** The path an old slug's address had; redirected to the post forever. */
export const slugPath = (slug: string): string => `/posts/${slug}`;

export type PostsRepository = ReturnType<typeof createPostsRepository>;

/** Prisma access for posts; returns plain objects. */
export function createPostsRepository(db: Database) {
  const dialect = dialectOf(db);
  return {
    /** The published post at `slug`, or null (a draft or scheduled post is not there yet). */
    async findPublishedBySlug(slug: string): Promise<(PostRecord & PostTerms) | null> {
      const post = await db.post.findFirst({
        where: { slug, ...published },
        select: { ...publicFields, ...termsSelect },
      });
      if (!post) return null;
      const { terms, ...fields } = post;
      return { ...fields, ...termsOf(terms) };
    },

    /**
     * A page of published posts, newest first, with their approved comments' count (kept on the
     * post, not counted), and how many there are; within [from, to) when given.
     */
    async listPublished(
      { skip, take }: { skip: number; take: number },
      within: { from: Date; to: Date } | null = null,
      term: { kind: TermKind; slug: string } | null = null,
    ): Promise<{ posts: PostSummary[]; total: number }> {
      const where = {
        ...publishedPosts,
        ...(within ? { publishedAt: { gte: within.from, lt: within.to } } : {}),
        ...(term ? { terms: { some: { term: { kind: term.kind, slug: term.slug } } } } : {}),
      };
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
        ...post,
        status: post.status as PostStatus,
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

    async create({ categories, tags, ...post }: NewPostRecord): Promise<EditablePost> {
      // Without terms, one statement: it may be committed with the other writes of its moment.
      if (categories.length === 0 && tags.length === 0) {
        const { terms: _none, ...fields } = editableFields;
        const row = await db.post.create({ data: post, select: fields }).catch(translateSlugConflict);
        return { ...row, status: row.status as PostStatus, categories: [], tags: [] };
      }
      const created = await db
        .$transaction(async (tx) => {
          const { id } = await tx.post.create({ data: post, select: { id: true } });
          await setTerms(tx, id, { categories, tags });
          return tx.post.findUniqueOrThrow({ where: { id }, select: editableFields });
        })
        .catch(translateSlugConflict);
      return asEditable(created);
    },

    /** The category or tag at `slug`, if any published post has it. */
    async findTerm(kind: TermKind, slug: string): Promise<TermRecord | null> {
      return db.term.findFirst({
        where: { kind, slug, posts: { some: { post: publishedPosts } } },
        select: { name: true, slug: true },
      });
    },

    /**
     * Saves the post. When its slug changes, its old address is kept to redirect from, and the
     * new one no longer redirects (a slug given back to the post it was taken from).
     */
    async setCommentsOpen(id: number, commentsOpen: boolean): Promise<void> {
      await db.post.update({ where: { id }, data: { commentsOpen } });
    },

    async update(id: number, { categories, tags, ...post }: NewPostRecord, oldSlug: string): Promise<EditablePost> {
      const updated = await db
        .$transaction(async (tx) => {
          await setTerms(tx, id, { categories, tags });
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
