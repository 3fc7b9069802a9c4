import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { headersSetBy } from './cached-page-fast-path';

const sources = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  // Pictures from other sites show in posts; only ones served over HTTPS, and never a script.
  imgSrc: ["'self'", 'data:', 'https:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};

/**
 * Security headers on every response. The policy allows our own scripts, styles and images only:
 * no inline script or style anywhere, no framing, forms post only to this site.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...sources, frameAncestors: ["'none'"] },
    },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xFrameOptions: { action: 'deny' },
  });
}

/**
 * The same policy for embed.js's frame, which the allowed sites (and only they) may frame; what
 * `origins()` names when the response is made.
 */
export function embeddableBy(origins: () => readonly string[]): RequestHandler {
  const policies = new Map<string, RequestHandler>();
  return (req, res, next) => {
    const allowed = origins();
    const key = allowed.join(' ');
    let policy = policies.get(key);
    if (!policy) {
      if (policies.size > 16) policies.clear();
      policy = helmet.contentSecurityPolicy({
        useDefaults: false,
        directives: { ...sources, frameAncestors: allowed.length > 0 ? [...allowed] : ["'none'"] },
      });
      policies.set(key, policy);
    }
    res.removeHeader('X-Frame-Options');
    policy(req, res, next);
  };
}

/**
 * The headers of embed.js's frame for the kept-page fast path: `base` (helmet's on every
 * response) with embeddableBy's policy for the sites allowed now, made again when they change.
 */
export function embedHeadersNow(
  base: Record<string, string>,
  origins: () => readonly string[],
): () => Record<string, string> {
  const framed = embeddableBy(origins);
  let made: { key: string; headers: Record<string, string> } | null = null;
  return () => {
    const key = origins().join(' ');
    if (made?.key !== key) made = { key, headers: headersSetBy(framed, base) };
    return made.headers;
  };
}
