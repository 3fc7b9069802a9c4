import { create } from 'xmlbuilder2';
import { postPath } from '../posts/post-status';

/** Text for xmlbuilder2, which leaves an & that looks like an entity's start alone: escaped first. */
const xmlText = (value: string): string => value.replaceAll('&', '&amp;');

/**
 * The sitemap (sitemaps.org 0.9): the home page and every published post and page, with when each last
 * changed. A sitemap holds at most 50,000 addresses; a blog has far fewer posts.
 */
export function sitemapDocument(origin: string, posts: { slug: string; kind: string; updatedAt: Date }[]): string {
  const urlset = create({ version: '1.0', encoding: 'UTF-8' }).ele('urlset', {
    xmlns: 'http://www.sitemaps.org/schemas/sitemap/0.9',
  });
  urlset
    .ele('url')
    .ele('loc')
    .txt(xmlText(`${origin}/`));
  for (const post of posts.slice(0, 49_999)) {
    const url = urlset.ele('url');
    url.ele('loc').txt(xmlText(`${origin}${postPath(post)}`));
    url.ele('lastmod').txt(post.updatedAt.toISOString());
  }
  return urlset.end({ prettyPrint: true });
}
