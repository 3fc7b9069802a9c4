import { createHash, randomBytes } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../shared/clock';
import type { PublicPageChanges } from '../shared/page-changes';

// Rendered public pages, kept in memory so a busy post is served without a query or a render.
// Only pages that are the same for every visitor are stored (the article page carries the form's
// per-visitor timestamp as a placeholder, filled in on each send). Entries are dropped exactly when
// what they show changes: a post's pages when the post or one of its visible comments changes, the
// home page with them, everything when the moderation settings change or another process writes
// to the database; and a page showing something that will change by itself at a known time (a
// post's comments closing by age) is kept only until then.

/**
 * A kept page as bytes, ready to write: `before`, then the per-visitor value (when the page has a
 * slot for one), then `after`. Kept as Buffers so a hit costs no string copy or encoding.
 */
export interface CachedPage {
  before: Buffer;
  after: Buffer | null;
  /**
   * Where in `before` the form's commenter details are (name, email, website, "save my details"),
   * for a reader who saved theirs: the kept page with their own details in that place.
   */
  details?: { start: number; end: number };
  /** A digest of the shared part of the page, from which its validator (ETag) is made; null: none (PAGE_CACHE=off). */
  contentHash: string | null;
  /** When (ms since the epoch) the page stops being true by itself, if it does. */
  expiresAt?: number;
  /** When it was made (ms since the epoch, whole seconds), for a `Last-Modified` validator. */
  lastModified?: number;
  /** The page compressed with the last form stamp it was sent with (one stamp per second), by encoding. */
  compressed?: Partial<Record<PageEncoding, { formStamp: string; body: Buffer }>>;
}

export type PageEncoding = 'br' | 'gzip';

// Brotli at quality 5: about gzip's time, a third smaller (docs/PERFORMANCE.md).
const compressors: Record<PageEncoding, (html: Buffer) => Buffer> = {
  br: (html) =>
    brotliCompressSync(html, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: html.length },
    }),
  gzip: (html) => gzipSync(html),
};

/** The page's bytes with `formStamp` in its slot, compressed; made once per stamp and encoding, and kept. */
export function compressedPage(page: CachedPage, encoding: PageEncoding, formStamp: string): Buffer {
  const kept = page.compressed?.[encoding];
  if (kept?.formStamp === formStamp) return kept.body;
  const html = page.after ? Buffer.concat([page.before, Buffer.from(formStamp), page.after]) : page.before;
  const body = compressors[encoding](html);
  page.compressed = { ...page.compressed, [encoding]: { formStamp, body } };
  return body;
}

/**
 * The marks a page was rendered with for keeping: `slot`, where each visitor's own value goes (its
 * first occurrence); `details`, placed on both sides of the form's commenter details.
 */
export interface PageMarks {
  slot?: string;
  details?: string;
}

/**
 * The marks to render a kept page with. A page is split at a mark's first occurrence, so a comment
 * spelling out a fixed mark would be split instead: they are random for each process.
 */
export const pageMarks: Required<PageMarks> = {
  slot: `__FORM_STAMP_${randomBytes(12).toString('hex')}__`,
  details: `__FORM_DETAILS_${randomBytes(12).toString('hex')}__`,
};

export interface PageCache extends PublicPageChanges {
  get(key: string): CachedPage | undefined;
  /** Keeps `html`, rendered with `marks`, until `expiresAt` if given. */
  set(key: string, html: string, marks?: PageMarks, expiresAt?: Date | null): CachedPage;
  readonly size: number;
  /** How many times a page was looked up, and found. */
  stats(): { lookups: number; hits: number };
}

/** A page ready to write, from its HTML and the marks it was rendered with (removed here). */
export function toCachedPage(marked: string, { slot, details }: PageMarks = {}, { validated = true } = {}): CachedPage {
  let html = marked;
  let detailsAt: { start: number; end: number } | undefined;
  const open = details ? html.indexOf(details) : -1;
  const close = open < 0 ? -1 : html.indexOf(details!, open + details!.length);
  if (close >= 0) {
    const inside = html.slice(open + details!.length, close);
    html = html.slice(0, open) + inside + html.slice(close + details!.length);
    const start = Buffer.byteLength(html.slice(0, open));
    detailsAt = { start, end: start + Buffer.byteLength(inside) };
  }
  const at = slot ? html.indexOf(slot) : -1;
  const before = Buffer.from(at < 0 ? html : html.slice(0, at));
  return {
    before,
    after: at < 0 ? null : Buffer.from(html.slice(at + slot!.length)),
    ...(detailsAt && detailsAt.end <= before.length ? { details: detailsAt } : {}),
    // Hashing the page costs a rendered-per-request page (PAGE_CACHE=off) a tenth of its time.
    // The slot's mark is left out: it is random per process, and every instance (and the same one
    // after a restart) must give the same page the same validator.
    contentHash: validated ? pageHash(html, at, slot?.length ?? 0) : null,
  };
}

function pageHash(html: string, slotAt: number, slotLength: number): string {
  const hash = createHash('sha1');
  if (slotAt < 0) return hash.update(html).digest('base64url');
  return hash
    .update(html.slice(0, slotAt))
    .update('\u0000')
    .update(html.slice(slotAt + slotLength))
    .digest('base64url');
}

export const homePageKey = 'home';

/** The cache key of a list of posts (a home page, an archive, a feed): dropped with any post's change. */
export function listPageKey(...parts: (string | number)[]): string {
  return `list:${parts.join(':')}`;
}

/** The cache key of a site-wide feed ("posts" or "comments", "rss" or "atom"): dropped with any post's change. */
export function siteFeedKey(name: string, format: string): string {
  return `feed:${name}:${format}`;
}

/** The cache key of one post's comment feed: dropped with the post's pages. */
export function postFeedKey(slug: string, format: string): string {
  return `${postPageKey(slug, 0).slice(0, -1)}feed:${format}`;
}

/** The cache key of one page of comments under a post; `surface` "embed": as embed.js shows it. */
export function postPageKey(slug: string, commentPage: number, surface: 'site' | 'embed' = 'site'): string {
  return surface === 'embed' ? `post:${slug}:embed:${commentPage}` : `post:${slug}:${commentPage}`;
}

/**
 * A page cache bounded to `maxBytes`, least recently used pages dropped first. A page counts its
 * HTML plus a quarter for its compressed copies (HTML compresses to well under an eighth).
 */
export function createPageCache(maxBytes: number, clock: Clock): PageCache {
  const sizeOf = (page: CachedPage) => Math.ceil((page.before.length + (page.after?.length ?? 0)) * 1.25) + 64;
  const pages = new LRUCache<string, CachedPage>({ maxSize: maxBytes, sizeCalculation: sizeOf });
  const counted = { lookups: 0, hits: 0 };
  return {
    get(key) {
      counted.lookups += 1;
      const page = pages.get(key);
      if (page?.expiresAt !== undefined && page.expiresAt <= clock.now().getTime()) {
        pages.delete(key);
        return undefined;
      }
      if (page) counted.hits += 1;
      return page;
    },
    set(key, html, marks, expiresAt) {
      const page = toCachedPage(html, marks);
      if (expiresAt) page.expiresAt = expiresAt.getTime();
      pages.set(key, page);
      return page;
    },
    get size() {
      return pages.size;
    },
    stats: () => ({ ...counted }),
    postChanged(slug) {
      // The post's own pages, and every list of posts (home pages, archives, feeds): all but
      // other posts' pages.
      const prefix = postPageKey(slug, 0).slice(0, -1);
      for (const key of [...pages.keys()]) if (key.startsWith(prefix) || !key.startsWith('post:')) pages.delete(key);
    },
    everythingChanged: () => pages.clear(),
  };
}
