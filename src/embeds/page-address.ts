// The address of a page on another site whose comments we keep (an embedded thread), written one
// way whatever way it came: one page must never become two threads.

/** The longest page address kept: longer ones are refused rather than cut. */
export const maxPageUrlLength = 2000;

/**
 * A page's address, normalized: http or https only, no user or password; scheme and host in lower
 * case and the host as IDNA writes it, no default port (the URL parser does these); no fragment;
 * the path without a trailing slash or `index.html` (`/posts/x/`, `/posts/x` and
 * `/posts/x/index.html` are one page), the root kept as `/`; the query kept as given, since some
 * sites tell their pages apart by it. Null when it is none of these.
 */
export function normalizePageUrl(input: string): string | null {
  const text = input.trim();
  if (text.length === 0 || text.length > maxPageUrlLength || !URL.canParse(text)) return null;
  const url = new URL(text);
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || !url.hostname) return null;
  url.hash = '';
  const path = url.pathname.replace(/\/index\.html?$/i, '/').replace(/\/+$/, '');
  url.pathname = path === '' ? '/' : path;
  const normalized = url.href;
  return normalized.length > maxPageUrlLength ? null : normalized;
}

/** The origin of a normalized page address (`https://blog.example`). */
export const originOfPage = (pageUrl: string): string => new URL(pageUrl).origin;

/**
 * An origin as a site owner writes it in EMBED_ORIGINS (`https://blog.example`, with or without a
 * last slash), normalized as a browser's Origin header reads; null if it is not one (a path, a
 * query, another scheme).
 */
export function normalizeOrigin(input: string): string | null {
  const text = input.trim();
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || !url.hostname) return null;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return null;
  return url.origin;
}

/**
 * A comma-separated list of origins, each normalized; the ones that are not origins are named in
 * `invalid`.
 */
export function parseOriginList(list: string): { origins: string[]; invalid: string[] } {
  const origins: string[] = [];
  const invalid: string[] = [];
  for (const item of list.split(/[\s,]+/).filter(Boolean)) {
    const origin = normalizeOrigin(item);
    if (origin === null) invalid.push(item);
    else if (!origins.includes(origin)) origins.push(origin);
  }
  return { origins, invalid };
}
