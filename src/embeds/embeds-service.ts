import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { Clock } from '../shared/clock';
import { normaliseText } from '../validation/text-field';
import type { EmbedsRepository, EmbedThread } from './embeds-repository';
import { normalizePageUrl, originOfPage } from './page-address';

export const embedMessages = {
  pageUrlInvalid: 'This page’s address cannot hold comments: give an http or https address (data-page-url).',
  siteNotAllowed:
    'Comments cannot be shown on this site. Its owner can allow it in the comment server’s Site settings (EMBED_ORIGINS).',
  tooManyUrls: 'Ask for the counts of at most 50 pages at once.',
  threadNotFound: 'There is no embedded page with that number.',
  newUrlInvalid: 'Give the page’s new address in full, such as https://blog.example/posts/lisbon/.',
  newUrlNotAllowed: 'That address is on a site that may not embed comments: add the site in Site settings first.',
  newUrlTaken: 'Another page’s thread has that address: merge the two threads instead.',
  mergeTargetInvalid: 'Choose another embedded page to move the comments to.',
  titleRequired: 'Give the thread a title: the page’s own, as readers see it.',
} as const;

/** The code of the refusal for a page of a site that may not embed threads. */
export const siteNotAllowedCode = 'site_not_allowed';

/** The most pages one request may ask counts for. */
export const maxCountedPages = 50;

/** GET /api/embed/counts?url=…&url=…: the addresses, once or repeated. */
export const embedCountsQuerySchema = z.object({
  url: z.union([z.string(), z.array(z.string()).max(maxCountedPages)]).optional(),
});

export type EmbedsService = ReturnType<typeof createEmbedsService>;

/** Threads for pages on the sites the owner allows (EMBED_ORIGINS, or the saved setting). */
export function createEmbedsService({
  repo,
  clock,
  allowedOrigins,
  authorName,
  changed = () => {},
}: {
  repo: EmbedsRepository;
  clock: Clock;
  allowedOrigins: () => readonly string[];
  /** Who a new thread's post is by: the owner's display name. */
  authorName: () => string;
  /** Called after a thread moved or two merged: the pages and posts kept in memory are stale. */
  changed?: () => void;
}) {
  // The threads of pages that have one, by address, as last read: every frame is first asked for
  // by its page's address. Forgotten on any change to a thread here, or another process's write.
  const knownThreads = new LRUCache<string, EmbedThread>({ max: 10_000 });
  const changedThreads = () => {
    knownThreads.clear();
    changed();
  };

  async function threadOf(id: number): Promise<EmbedThread> {
    const thread = await repo.findById(id);
    if (!thread) throw new NotFoundError(embedMessages.threadNotFound);
    return thread;
  }

  return {
    /** Every embedded page's thread (the admin area lists them). */
    list: (): Promise<EmbedThread[]> => repo.list(),

    get: threadOf,

    /** A thread's page moved: its new address, on an allowed site; the old one keeps finding it. */
    async changeUrl(id: number, input: string): Promise<EmbedThread> {
      await threadOf(id);
      const pageUrl = normalizePageUrl(input);
      if (!pageUrl) throw new ValidationError({ url: embedMessages.newUrlInvalid });
      if (!allowedOrigins().includes(originOfPage(pageUrl)))
        throw new ValidationError({ url: embedMessages.newUrlNotAllowed });
      if (!(await repo.changeUrl(id, pageUrl)))
        throw new ConflictError(embedMessages.newUrlTaken, 'embed_url_taken', { url: embedMessages.newUrlTaken });
      changedThreads();
      return threadOf(id);
    },

    /** Moves every comment of thread `id` into thread `intoId` (one page, two addresses), and deletes `id`. */
    async merge(id: number, intoId: number): Promise<EmbedThread> {
      await threadOf(id);
      if (id === intoId || !(await repo.findById(intoId)))
        throw new ValidationError({ into: embedMessages.mergeTargetInvalid });
      await repo.merge(id, intoId);
      changedThreads();
      return threadOf(intoId);
    },

    /** Whether pages of `origin` (as a browser's Origin header writes it) may embed threads. */
    isAllowedOrigin: (origin: string | undefined): boolean => !!origin && allowedOrigins().includes(origin),

    allowedOrigins,

    /** The page's address normalized, if it is one and its site is allowed; else a 400 or 403. */
    allowedPage(input: unknown): string {
      const pageUrl = typeof input === 'string' ? normalizePageUrl(input) : null;
      if (!pageUrl) throw new BadRequestError(embedMessages.pageUrlInvalid, { page_url: embedMessages.pageUrlInvalid });
      if (!allowedOrigins().includes(originOfPage(pageUrl)))
        throw new ForbiddenError(embedMessages.siteNotAllowed, siteNotAllowedCode);
      return pageUrl;
    },

    async findThread(pageUrl: string): Promise<EmbedThread | null> {
      const known = knownThreads.get(pageUrl);
      if (known) return known;
      const thread = await repo.findByUrl(pageUrl);
      if (thread) knownThreads.set(pageUrl, thread);
      return thread;
    },

    /** Forgets the threads kept in memory (another process changed the database). */
    forgetKept: (): void => knownThreads.clear(),

    /**
     * The page's thread, made for the comment about to be posted if it has none; its title is the
     * page's (held to the one-line text rules: it shows in feeds and mail), else its address.
     */
    startThread: (pageUrl: string, title: string) =>
      repo.findOrCreate(pageUrl, normaliseText(title, false) || pageUrl, authorName(), clock.now()),

    /**
     * Takes back a thread made for a comment that was refused. What was kept in memory of it (its
     * post, its pages) goes too: the next comment makes it again.
     */
    async discardIfEmpty(thread: EmbedThread): Promise<void> {
      if (await repo.deleteIfEmpty(thread.id)) changedThreads();
    },

    /** A thread's title, as the moderator writes it (the page's own, sent by its first reader, may be wrong). */
    async retitle(id: number, input: string): Promise<EmbedThread> {
      await threadOf(id);
      const title = normaliseText(input, false).slice(0, 300);
      if (!title) throw new ValidationError({ title: embedMessages.titleRequired });
      await repo.retitle(id, title);
      changedThreads();
      return threadOf(id);
    },

    /** Approved comments by page address, for each address asked (0 for a page with no thread). */
    async counts(inputs: string[]): Promise<Record<string, number>> {
      if (inputs.length > maxCountedPages) throw new BadRequestError(embedMessages.tooManyUrls);
      const normalized = inputs.map((input) => [input, normalizePageUrl(input)] as const);
      const found = await repo.approvedCounts(normalized.flatMap(([, url]) => (url ? [url] : [])));
      const counts: Record<string, number> = {};
      for (const [input, url] of normalized) if (url) counts[input] = found.get(url) ?? 0;
      return counts;
    },
  };
}
