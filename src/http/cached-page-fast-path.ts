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
  /** The signed form timestamp for the article page's slot (shared pages share one per second). */
  issueFormStamp: () => SharedFormStamp;
  logger: Logger;
}

// Only plain addresses: "/", "/posts/<slug>", "/posts/<slug>?cpage=N". A reply target, other query
// strings, or a visitor's own cookies (comments awaiting moderation, saved details) are personal.
const postPath = /^\/posts\/([a-z0-9-]{1,100})(?:\?cpage=(\d{1,6}))?$/;
const personalCookie = /(?:^|;\s*)(?:marginalia_own_comments|marginalia_commenter)=/;

function keyOf(url: string): string | null {
  if (url === '/') return homePageKey;
  const match = postPath.exec(url);
  return match ? postPageKey(match[1]!, match[2] ? Number(match[2]) : 1) : null;
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
  issueFormStamp,
  logger,
}: FastPathOptions): NodeHandler {
  const headers = {
    ...securityHeaders,
    'Cache-Control': sharedPageCacheControl,
    'Content-Type': 'text/html; charset=utf-8',
  };
  return (req, res, next) => {
    const { method = '', url = '' } = req;
    if (method !== 'GET' && method !== 'HEAD') return next();
    const cookie = req.headers.cookie;
    if (cookie && personalCookie.test(cookie)) return next();
    const key = keyOf(url);
    const page = key ? pageCache.get(key) : undefined;
    if (!page) return next();
    logWhenAnswered(logger, req, res);
    writeSharedPage(req, res, page, headers, page.after ? issueFormStamp() : null);
  };
}

/** A request listener that answers kept pages with `keptPages`, and hands everything else to `next`. */
export function answerKeptPagesFirst(
  keptPages: NodeHandler | null,
  next: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return keptPages ? (req, res) => keptPages(req, res, () => next(req, res)) : next;
}

/** The headers a middleware sets on every response (helmet), captured once with a stand-in response. */
export function headersSetBy(middleware: RequestHandler): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | string[]) =>
      void (headers[name] = Array.isArray(value) ? value.join(', ') : String(value)),
    removeHeader: (name: string) => void delete headers[name],
    getHeader: (name: string) => headers[name],
  };
  middleware({ headers: {} } as never, response as never, () => undefined);
  return headers;
}
