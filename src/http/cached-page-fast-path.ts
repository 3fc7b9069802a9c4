import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { homePageKey, postPageKey, type PageCache } from './page-cache';
import { sharedPageCacheControl, writeSharedPage, type SharedFormStamp } from './shared-page-response';
import { logWhenAnswered } from './access-log';

// The busiest requests are anonymous reads of a kept page. They are answered here, first thing,
// without the rest of the middleware stack: the same bytes, the same security headers (taken from
// helmet once, at start) and the same access-log line the full stack would give. Anything else, or
// anything not kept yet, goes down the normal path, which fills the cache.

export interface FastPathOptions {
  pageCache: PageCache;
  /** The headers helmet sets on every response. */
  securityHeaders: Record<string, string>;
  /** The same for embed.js's frame, which the allowed sites may frame (as they are now). */
  embedSecurityHeaders: () => Record<string, string>;
  /** The signed form timestamp for the article page's slot (shared pages share one per second). */
  issueFormStamp: () => SharedFormStamp;
  logger: Logger;
}

// Only plain addresses: "/", "/posts/<slug>", "/posts/<slug>?cpage=N", and the same under /embed
// (a thread in embed.js's frame). A reply target, other query strings, or a visitor's own cookies
// (comments awaiting moderation, saved details) are personal.
const postPath = /^(\/embed)?\/posts\/([a-z0-9-]{1,100})(?:\?cpage=(\d{1,6}))?$/;
const personalCookie =
  /(?:^|;\s*)(?:marginalia_own_comments|marginalia_commenter|marginalia_embed_own_comments|marginalia_embed_commenter)=/;

function keyOf(url: string): { key: string; embedded: boolean } | null {
  if (url === '/') return { key: homePageKey, embedded: false };
  const match = postPath.exec(url);
  if (!match) return null;
  const embedded = match[1] !== undefined;
  return { key: postPageKey(match[2]!, match[3] ? Number(match[3]) : 1, embedded ? 'embed' : 'site'), embedded };
}

/** A handler that works on Node's own request and response as well as Express's (it uses nothing else). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * Answers anonymous GET and HEAD requests for kept pages; passes everything else on. The app puts
 * it in front of Express itself (`answerKeptPagesFirst`), so a hit costs no Express request setup.
 */
export function servePageFromCache({
  pageCache,
  securityHeaders,
  embedSecurityHeaders,
  issueFormStamp,
  logger,
}: FastPathOptions): NodeHandler {
  const pageHeaders = { 'Cache-Control': sharedPageCacheControl, 'Content-Type': 'text/html; charset=utf-8' };
  const headers = { ...securityHeaders, ...pageHeaders };
  // The frame's page: framed by the allowed sites, and (outside a frame) a redirect: see embed-routes.ts.
  // Made again only when the sites allowed change (embedSecurityHeaders answers a new object then).
  let embedded: { security: Record<string, string>; headers: Record<string, string> } | null = null;
  const embedHeaders = () => {
    const security = embedSecurityHeaders();
    if (embedded?.security !== security)
      embedded = { security, headers: { ...security, ...pageHeaders, Vary: 'Sec-Fetch-Dest' } };
    return embedded.headers;
  };
  return (req, res, next) => {
    const { method = '', url = '' } = req;
    if (method !== 'GET' && method !== 'HEAD') return next();
    const cookie = req.headers.cookie;
    if (cookie && personalCookie.test(cookie)) return next();
    const kept = keyOf(url);
    if (!kept || (kept.embedded && req.headers['sec-fetch-dest'] === 'document')) return next();
    const page = pageCache.get(kept.key);
    if (!page) return next();
    logWhenAnswered(logger, req, res);
    writeSharedPage(req, res, page, kept.embedded ? embedHeaders() : headers, page.after ? issueFormStamp() : null);
  };
}

/** A request listener that answers kept pages with `keptPages`, and hands everything else to `next`. */
export function answerKeptPagesFirst(
  keptPages: NodeHandler | null,
  next: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return keptPages ? (req, res) => keptPages(req, res, () => next(req, res)) : next;
}

/**
 * The headers a middleware sets on every response (helmet), captured with a stand-in response;
 * `start`: those already set before it runs.
 */
export function headersSetBy(middleware: RequestHandler, start: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { ...start };
  const response = {
    setHeader: (name: string, value: string | string[]) =>
      void (headers[name] = Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => void delete headers[name],
    getHeader: (name: string) => headers[name],
  };
  middleware({ headers: {} } as never, response as never, () => undefined);
  return headers;
}
