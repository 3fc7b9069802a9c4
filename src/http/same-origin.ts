import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../errors';

/**
 * Whether the browser sent this from one of our own pages: its Origin (if sent; with `originRequired`,
 * a request without one must say Sec-Fetch-Site: same-origin) names this host, and Sec-Fetch-Site does not say another site
 * sent it. SameSite=Lax cookies alone let a sibling subdomain or another port of the host act.
 */
export function fromThisSite(req: Request, { originRequired = false } = {}): boolean {
  const origin = req.get('origin');
  const fetchSite = req.get('sec-fetch-site');
  const sameOrigin =
    origin === undefined
      ? !originRequired || fetchSite === 'same-origin'
      : URL.canParse(origin) && new URL(origin).host === req.get('host');
  return sameOrigin && fetchSite !== 'cross-site' && fetchSite !== 'same-site';
}

/** A 403 with `message` for a request that did not come from one of our pages. */
export function onlyFromThisSite(message: string, options: { originRequired?: boolean } = {}): RequestHandler {
  return (req, _res, next) => next(fromThisSite(req, options) ? undefined : new ForbiddenError(message, 'csrf_failed'));
}
