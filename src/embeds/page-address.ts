// The address of a page on another site whose comments we keep (an embedded thread), written one
// way whatever way it came: one page must never become two threads.

/** The longest page address kept: longer ones are refused rather than cut. */
export const maxPageUrlLength = 2000;

/** A host name or IP address as the URL parser writes it, and nothing else (no `*`, no `;`). */
const plainHost = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*)$/;

// Characters a path may hold as themselves (RFC 3986's unreserved): an escape of one is the same address.
const unreserved = /^[A-Za-z0-9\-._~]$/;

/** The URL of an http or https address with a plain host and no user or password; null otherwise. */
function webAddress(text: string): URL | null {
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || !plainHost.test(url.hostname)) return null;
  return url;
}

/**
 * A page's address, normalized: http or https only, no user or password; scheme and host in lower
 * case and the host as IDNA writes it, no default port (the URL parser does these); no query and
 * no fragment (a static site's page is its path: a query would make a thread per visitor's
 * link); in the path, escapes of plain characters undone and the others in upper case, no
 * trailing slash or `index.html` (`/posts/x/`, `/posts/x` and `/posts/x/index.html` are one
 * page), the root kept as `/`. Null when it is none of these.
 */
export function normalizePageUrl(input: string): string | null {
  // Again until it stands (an escaped dot undone may make a segment the parser then resolves):
  // normalizing a normalized address changes nothing.
  let normalized = normalizedOnce(input);
  for (let again = 0; normalized !== null && again < 4; again += 1) {
    const next = normalizedOnce(normalized);
    if (next === normalized) return normalized;
    normalized = next;
  }
  return null; // an address that never settles is not one to keep
}

function normalizedOnce(input: string): string | null {
  const text = input.trim();
  if (text.length === 0 || text.length > maxPageUrlLength) return null;
  const url = webAddress(text);
  if (!url) return null;
  url.hash = '';
  url.search = '';
  let path = url.pathname.replace(/%[0-9a-f]{2}/gi, (escape) => {
    const character = String.fromCharCode(parseInt(escape.slice(1), 16));
    return unreserved.test(character) ? character : escape.toUpperCase();
  });
  // Until nothing changes: /x/index.html/ and /x are one page, whichever order they are taken in.
  for (let before = ''; before !== path;) {
    before = path;
    path = path.replace(/\/+$/, '').replace(/\/index\.html?$/i, '');
  }
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
  const url = webAddress(text);
  if (!url || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return null;
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
