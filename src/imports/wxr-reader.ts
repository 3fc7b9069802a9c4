import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagNS } from 'saxes';

// Reads a WordPress export (WXR 1.0, 1.1 or 1.2: the same RSS with a `wp:` namespace whose URL
// names the version) as a stream, one <item> at a time, so a 100 MB file needs little memory.

export interface WxrComment {
  id: string;
  parentId: string;
  author: string;
  email: string;
  url: string;
  ip: string;
  dateGmt: string;
  date: string;
  contentHtml: string;
  approved: string;
  type: string;
}

export interface WxrItem {
  /** The line of the file where the item starts, for the report. */
  line: number;
  title: string;
  creator: string;
  contentHtml: string;
  postId: string;
  postName: string;
  postDateGmt: string;
  postDate: string;
  commentStatus: string;
  status: string;
  postType: string;
  comments: WxrComment[];
}

export interface WxrSite {
  version: string;
  baseSiteUrl: string;
}

/** The file is not a WordPress export, or is broken; the message names the line. */
export class WxrFormatError extends Error {
  override name = 'WxrFormatError';
}

const wpNamespace = /^http:\/\/wordpress\.org\/export\/(1\.[012])\/$/;
const namespaces: Record<string, string> = {
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://purl.org/dc/elements/1.1/': 'dc',
};

// WordPress's element names (local part) → the field they fill.
const itemFields: Record<string, keyof WxrItem> = {
  title: 'title',
  'dc:creator': 'creator',
  'content:encoded': 'contentHtml',
  'wp:post_id': 'postId',
  'wp:post_name': 'postName',
  'wp:post_date_gmt': 'postDateGmt',
  'wp:post_date': 'postDate',
  'wp:comment_status': 'commentStatus',
  'wp:status': 'status',
  'wp:post_type': 'postType',
};
const commentFields: Record<string, keyof WxrComment> = {
  'wp:comment_id': 'id',
  'wp:comment_parent': 'parentId',
  'wp:comment_author': 'author',
  'wp:comment_author_email': 'email',
  'wp:comment_author_url': 'url',
  'wp:comment_author_IP': 'ip',
  'wp:comment_date_gmt': 'dateGmt',
  'wp:comment_date': 'date',
  'wp:comment_content': 'contentHtml',
  'wp:comment_approved': 'approved',
  'wp:comment_type': 'type',
};

const emptyItem = (line: number): WxrItem => ({
  line,
  title: '',
  creator: '',
  contentHtml: '',
  postId: '',
  postName: '',
  postDateGmt: '',
  postDate: '',
  commentStatus: '',
  status: '',
  postType: '',
  comments: [],
});
const emptyComment = (): WxrComment => ({ id: '', parentId: '', author: '', email: '', url: '', ip: '', dateGmt: '', date: '', contentHtml: '', approved: '', type: '' });

/**
 * Streams the export at `file`, calling `onItem` for each <item> (awaited before reading on) after
 * `onSite` has been given the export's version and site address.
 */
export async function readWxr(file: string, onSite: (site: WxrSite) => void, onItem: (item: WxrItem) => Promise<void>): Promise<void> {
  const parser = new SaxesParser({ xmlns: true, fileName: file });
  const site: WxrSite = { version: '', baseSiteUrl: '' };
  const ready: WxrItem[] = [];
  let item: WxrItem | null = null;
  let comment: WxrComment | null = null;
  let text = '';
  let sawRss = false;
  let siteGiven = false;

  const nameOf = (tag: SaxesTagNS): string => {
    const version = wpNamespace.exec(tag.uri)?.[1];
    if (version) {
      site.version ||= version;
      return `wp:${tag.local}`;
    }
    const prefix = namespaces[tag.uri];
    return prefix ? `${prefix}:${tag.local}` : tag.local;
  };

  parser.on('opentag', (tag) => {
    const name = nameOf(tag);
    text = '';
    if (name === 'rss') sawRss = true;
    else if (name === 'item') item = emptyItem(parser.line);
    else if (name === 'wp:comment' && item) comment = emptyComment();
  });
  parser.on('text', (value) => (text += value));
  parser.on('cdata', (value) => (text += value));
  parser.on('closetag', (tag) => {
    const name = nameOf(tag);
    if (comment && name === 'wp:comment') {
      item?.comments.push(comment);
      comment = null;
    } else if (comment) {
      const field = commentFields[name];
      if (field) comment[field] = text;
    } else if (item && name === 'item') {
      ready.push(item);
      item = null;
    } else if (item) {
      const field = itemFields[name];
      if (field && field !== 'comments' && field !== 'line') item[field] = text;
    } else if (name === 'wp:base_site_url') {
      site.baseSiteUrl = text.trim();
    }
    text = '';
  });

  const giveSite = (): void => {
    if (siteGiven) return;
    if (!sawRss || !site.version) throw new WxrFormatError(`${file} is not a WordPress export (WXR 1.0, 1.1 or 1.2): no <rss> with the http://wordpress.org/export/1.x/ namespace.`);
    siteGiven = true;
    onSite(site);
  };

  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
      parser.write(chunk as string);
      while (ready.length > 0) {
        giveSite();
        await onItem(ready.shift()!);
      }
    }
    parser.close();
  } catch (error) {
    // saxes says where: "<file>:<line>:<column>: <what>".
    if ((error as Error).message && /:\d+:\d+: /.test((error as Error).message)) throw new WxrFormatError(`The file is not well-formed XML: ${(error as Error).message}`);
    throw error;
  }
  giveSite();
}
