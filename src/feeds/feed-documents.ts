import escapeHtml from 'escape-html';
import { Feed, type Item } from 'feed';
import type { FeedComment, FeedPost } from './feeds-repository';

// The feeds' XML, written by the `feed` library (escaping, CDATA, dates). Every address in them
// is absolute, from the site's public address.

export type FeedFormat = 'rss' | 'atom';

export const feedContentTypes: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
};

export interface FeedSite {
  title: string;
  tagline: string;
  /** The site's public address, without a trailing slash: "https://blog.example". */
  origin: string;
}

interface FeedDescription {
  title: string;
  description: string;
  /** The page the feed is about (absolute). */
  link: string;
  /** The feed's own address, by format (absolute). */
  self: Record<FeedFormat, string>;
}

// Characters XML 1.0 cannot carry at all (C0 controls but tab and newlines, lone surrogates,
// U+FFFE and U+FFFF): the forms keep them out, but older or imported text may hold one, and a
// single one would make the whole feed unreadable.
const notInXml = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xmlSafe = (text: string): string => text.replace(notInXml, '');

/** A title as feeds carry it: HTML (Atom says so, and RSS readers read it so), so escaped. */
const titleText = (text: string): string => escapeHtml(xmlSafe(text));

/**
 * HTML from this site (a post body, a comment) with its site-relative addresses made absolute: a
 * feed has no address of its own to resolve them against. The HTML is markdown-it's or the comment
 * renderer's, whose attributes are always double-quoted.
 */
const absolute = (html: string, origin: string): string =>
  xmlSafe(html).replace(/(\s(?:src|href)=")\/(?!\/)/g, `$1${origin}/`);

// RSS 2.0's <author> is for an email address, which a commenter's never is here: RSS names the
// author in Dublin Core's <dc:creator>, as WordPress does; Atom in its own <author><name>.
function byline(name: string, link: string | null, format: FeedFormat): Pick<Item, 'author' | 'extensions'> {
  const safe = xmlSafe(name);
  if (format === 'atom') return { author: [{ name: safe, ...(link ? { link } : {}) }] };
  return { extensions: [{ name: 'dc:creator', objects: { _text: safe } }] };
}

function document(about: FeedDescription, items: Item[], updated: Date, format: FeedFormat): string {
  const feed = new Feed({
    id: about.self.atom,
    title: xmlSafe(about.title),
    description: xmlSafe(about.description),
    link: about.link,
    updated,
    generator: 'marginalia',
    feedLinks: { rss: about.self.rss, atom: about.self.atom },
    copyright: '',
  });
  for (const item of items) feed.addItem(item);
  return format === 'atom' ? feed.atom1() : feed.rss2();
}

// A feed is as new as its newest entry: the same entries, the same document (and validator).
const newest = (dates: Date[]) => new Date(Math.max(0, ...dates.map((date) => date.getTime())));

/** The newest posts, with their whole text. */
export function postsFeed(site: FeedSite, posts: FeedPost[], format: FeedFormat): string {
  const items = posts.map((post): Item => ({
    title: titleText(post.title),
    // A post's id stays when its slug changes, so a reader never sees it twice.
    id: `${site.origin}/?p=${post.id}`,
    guid: `${site.origin}/?p=${post.id}`,
    link: `${site.origin}/posts/${encodeURIComponent(post.slug)}`,
    date: post.updatedAt > post.publishedAt ? post.updatedAt : post.publishedAt,
    published: post.publishedAt,
    description: xmlSafe(post.excerpt),
    content: absolute(post.bodyHtml, site.origin),
    category: post.terms
      .map(({ term }) => term.name)
      .sort((a, b) => a.localeCompare(b, 'en'))
      .map((name) => ({ name: xmlSafe(name) })),
    ...byline(post.authorName, null, format),
  }));
  return document(
    {
      title: site.title,
      description: site.tagline,
      link: `${site.origin}/`,
      self: { rss: `${site.origin}/feed`, atom: `${site.origin}/feed/atom` },
    },
    items,
    newest(posts.map((post) => post.updatedAt)),
    format,
  );
}

/** Approved comments, newest first: site-wide (`post` null) or on one post. */
export function commentsFeed(
  site: FeedSite,
  comments: FeedComment[],
  post: { slug: string; title: string; embedUrl?: string | null } | null,
  format: FeedFormat,
): string {
  const items = comments.map((comment): Item => {
    const permalink = `${site.origin}/posts/${encodeURIComponent(comment.post.slug)}/comments/${comment.id}`;
    // An embedded page's comment is read where it is shown: on that page (embed.js opens it there).
    const link = comment.post.embedUrl ? `${comment.post.embedUrl}#comment-${comment.id}` : permalink;
    return {
      title: titleText(post ? `By ${comment.authorName}` : `Comment on ${comment.post.title} by ${comment.authorName}`),
      id: permalink,
      guid: permalink,
      link,
      date: comment.createdAt,
      description: absolute(comment.textHtml, site.origin),
      content: absolute(comment.textHtml, site.origin),
      ...byline(comment.authorName, comment.authorUrl, format),
    };
  });
  const base = post ? `${site.origin}/posts/${encodeURIComponent(post.slug)}` : site.origin;
  return document(
    {
      title: post ? `Comments on “${post.title}” – ${site.title}` : `Comments – ${site.title}`,
      description: post ? `The newest comments on “${post.title}”.` : `The newest comments on ${site.title}.`,
      link: post ? (post.embedUrl ?? base) : `${site.origin}/`,
      self: post
        ? { rss: `${base}/feed`, atom: `${base}/feed/atom` }
        : { rss: `${site.origin}/comments/feed`, atom: `${site.origin}/comments/feed/atom` },
    },
    items,
    newest(comments.map((comment) => comment.createdAt)),
    format,
  );
}
