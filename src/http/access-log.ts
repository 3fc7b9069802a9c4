import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** Passing health checks are not logged: a monitor asks every few seconds. */
const healthPath = '/healthz';

/**
 * The token of a link from mail (a credential) in a path: logged as "…". Routing takes any case,
 * repeated slashes and anything after it; a request may also name the whole URL.
 */
const tokenInPath =
  /^((?:[a-z][a-z0-9+.-]*:\/\/[^/]*)?\/+(?:moderate|subscriptions\/+(?:confirm|unsubscribe|manage)|privacy\/+erase)\/+)[^/]+/i;

/**
 * Writes one JSON line per request once its answer is sent: method, path (never the query string,
 * which may hold anything, nor the token of a link from mail), status and time in ms. 5xx at error level, 4xx at warn, the rest at
 * info; an answer cut off by the client leaving is "request aborted", at warn.
 *
 * The kept-page fast path and the full stack both log through this, so the line is the same
 * whichever answered. Written here rather than with pino-http, whose two child loggers and
 * per-request bookkeeping cost a noticeable share of an uncached page (docs/PERFORMANCE.md).
 */
export function logWhenAnswered(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const started = process.hrtime.bigint();
  // Captured now: Express rewrites req.url while routing through mounted routers.
  const method = req.method ?? '';
  const path = (req.url ?? '').split('?')[0]!.replace(tokenInPath, '$1…');
  res.once('close', () => {
    const { statusCode } = res;
    if (path === healthPath && statusCode < 400) return;
    const aborted = !res.writableFinished;
    const level = aborted ? 'warn' : statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const responseTime = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
    logger[level](
      { req: { method, path }, res: { statusCode }, responseTime },
      aborted ? 'request aborted' : 'request completed',
    );
  });
}

/** The access log as the full stack's first middleware. */
export function createAccessLog(logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    logWhenAnswered(logger, req, res);
    next();
  };
}
