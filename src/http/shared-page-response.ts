import type { IncomingMessage, ServerResponse } from 'node:http';
import Negotiator from 'negotiator';
import { compressedPage, type CachedPage } from './page-cache';

/**
 * Shared pages: a CDN may keep one for 10 s (and serve it stale for a minute while it asks again);
 * a browser must ask every time (a cheap 304 when unchanged). A browser keeping the page itself
 * would hide a reader's own new comment, or a moderator's approval, behind its copy.
 */
export const sharedPageCacheControl = 'public, max-age=0, s-maxage=10, stale-while-revalidate=60';

// In the server's order of preference, when the browser accepts several equally.
const encodings = ['br', 'gzip', 'identity'];

/**
 * The form stamp a shared page is sent with, and the period of the form's life it was issued in.
 * A page with a form is validated (ETag) by its content and that period, so a browser's copy is
 * confirmed unchanged (304) only while its form is young enough to be sent.
 */
export interface SharedFormStamp {
  value: string;
  period: number;
}

/** The validator of a kept page: its content, and for a page with a form, the form's period. */
function etagOf(page: CachedPage, form: SharedFormStamp | null): string | null {
  if (page.contentHash === null) return null;
  return page.after && form ? `W/"${page.contentHash}.${form.period}"` : `W/"${page.contentHash}"`;
}

/**
 * Whether the browser's copy is this page (RFC 9110, 13.2.2): If-None-Match when it sends one,
 * else If-Modified-Since against when the page was made.
 */
function unchangedFor(req: IncomingMessage, etag: string | null, lastModified: number | undefined): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    // "*" matches any current representation; otherwise one of the tags must be this page's.
    if (ifNoneMatch.trim() === '*') return true;
    return etag !== null && ifNoneMatch.split(',').some((tag) => tag.trim() === etag);
  }
  const since = req.headers['if-modified-since'];
  if (lastModified === undefined || since === undefined) return false;
  const sinceMs = Date.parse(since);
  return !Number.isNaN(sinceMs) && lastModified <= sinceMs;
}

/**
 * Writes a kept page: 304 when the browser already has it, else its bytes with the form stamp in
 * its slot, compressed (Brotli or gzip) when the browser accepts that. Compression is what lets a
 * post with hundreds of comments on a page hold up under load: the wire, not the server, is the
 * limit there (docs/PERFORMANCE.md).
 *
 * `headers` are added to whatever the response already carries (on the full stack, helmet's).
 */
export function writeSharedPage(
  req: IncomingMessage,
  res: ServerResponse,
  page: CachedPage,
  headers: Record<string, string>,
  form: SharedFormStamp | null,
): void {
  const etag = etagOf(page, form);
  const formStamp = form?.value ?? '';
  const lastModified = page.lastModified === undefined ? null : new Date(page.lastModified).toUTCString();
  const common = {
    ...headers,
    ...(etag ? { ETag: etag } : {}),
    ...(lastModified ? { 'Last-Modified': lastModified } : {}),
    // Whatever else the page's answer depends on (headers.Vary), and the encoding.
    Vary: headers.Vary ? `${headers.Vary}, Accept-Encoding` : 'Accept-Encoding',
  };
  if (unchangedFor(req, etag, page.lastModified)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const encoding = new Negotiator(req).encoding(encodings, { preferred: encodings });
  if (encoding === 'br' || encoding === 'gzip') {
    const body = compressedPage(page, encoding, formStamp);
    res.writeHead(200, { ...common, 'Content-Encoding': encoding, 'Content-Length': String(body.length) });
    res.end(body);
    return;
  }
  const stamp = page.after ? Buffer.from(formStamp) : null;
  const length = page.before.length + (stamp ? stamp.length + page.after!.length : 0);
  res.writeHead(200, { ...common, 'Content-Length': String(length) });
  if (!stamp) return void res.end(page.before);
  res.write(page.before);
  res.write(stamp);
  res.end(page.after);
}

/**
 * Writes a kept page for one reader who saved their commenter details: the shared page with
 * `details` (their own, rendered) in place of the form's empty ones. It carries their email
 * address, so it is private, never compressed (BREACH) and never stored anywhere.
 */
export function writePageWithOwnDetails(
  res: ServerResponse,
  page: CachedPage,
  at: NonNullable<CachedPage['details']>,
  headers: Record<string, string>,
  details: string,
  formStamp: string,
): void {
  const parts = [page.before.subarray(0, at.start), Buffer.from(details), page.before.subarray(at.end)];
  if (page.after) parts.push(Buffer.from(formStamp), page.after);
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  res.writeHead(200, { ...headers, 'Cache-Control': 'private, no-store', 'Content-Length': String(length) });
  for (const part of parts.slice(0, -1)) res.write(part);
  res.end(parts.at(-1));
}
