import { childText, ExportFormatError, streamXmlRecords, type XmlRecord } from './xml-records';

// A WordPress export (WXR 1.0, 1.1 or 1.2) is RSS with a `wp:` namespace whose URL names the
// version. Read as a stream, one <item> (a post or page with its comments) at a time.

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
  /** Its permalink on the old site (`<link>`): its address there, redirected to it here. */
  link: string;
  postName: string;
  postDateGmt: string;
  postDate: string;
  commentStatus: string;
  status: string;
  postType: string;
  /** Its `<category domain="category">` and `<category domain="post_tag">` names. */
  categories: string[];
  tags: string[];
  comments: WxrComment[];
}

export interface WxrSite {
  version: string;
  baseSiteUrl: string;
}

const wpNamespace = /^http:\/\/wordpress\.org\/export\/(1\.[012])\/$/;
const otherNamespaces: Record<string, string> = {
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://purl.org/dc/elements/1.1/': 'dc',
};

// Text kept whole (a comment's content may begin or end with spaces that mean nothing, but a
// post's HTML is converted later and trimming it is harmless); everything else is trimmed.
const raw = (record: XmlRecord, name: string): string =>
  record.children.find((child) => child.name === name)?.text ?? '';

function commentOf(record: XmlRecord): WxrComment {
  return {
    id: childText(record, 'wp:comment_id'),
    parentId: childText(record, 'wp:comment_parent'),
    author: childText(record, 'wp:comment_author'),
    email: childText(record, 'wp:comment_author_email'),
    url: childText(record, 'wp:comment_author_url'),
    ip: childText(record, 'wp:comment_author_IP'),
    dateGmt: childText(record, 'wp:comment_date_gmt'),
    date: childText(record, 'wp:comment_date'),
    contentHtml: raw(record, 'wp:comment_content'),
    approved: childText(record, 'wp:comment_approved'),
    type: childText(record, 'wp:comment_type'),
  };
}

/** The names of an item's terms of one WordPress taxonomy (`<category domain="…">`). */
function termsOf(record: XmlRecord, domain: string): string[] {
  return record.children
    .filter((child) => child.name === 'category' && child.attributes.domain === domain)
    .map((child) => child.text.trim())
    .filter((name) => name !== '');
}

function itemOf(record: XmlRecord): WxrItem {
  return {
    line: record.line,
    title: childText(record, 'title'),
    creator: childText(record, 'dc:creator'),
    contentHtml: raw(record, 'content:encoded'),
    postId: childText(record, 'wp:post_id'),
    link: childText(record, 'link'),
    postName: childText(record, 'wp:post_name'),
    postDateGmt: childText(record, 'wp:post_date_gmt'),
    postDate: childText(record, 'wp:post_date'),
    commentStatus: childText(record, 'wp:comment_status'),
    status: childText(record, 'wp:status'),
    postType: childText(record, 'wp:post_type'),
    categories: termsOf(record, 'category'),
    tags: termsOf(record, 'post_tag'),
    comments: record.children.filter((child) => child.name === 'wp:comment').map(commentOf),
  };
}

/**
 * Streams the export at `file`, calling `onItem` for each <item> (awaited before reading on) after
 * `onSite` has been given the export's version and site address.
 */
export async function readWxr(
  file: string,
  onSite: (site: WxrSite) => void,
  onItem: (item: WxrItem) => Promise<void>,
): Promise<void> {
  const site: WxrSite = { version: '', baseSiteUrl: '' };
  let root = '';
  let siteGiven = false;
  const giveSite = (): void => {
    if (siteGiven) return;
    if (root !== 'rss' || !site.version)
      throw new ExportFormatError(
        `${file} is not a WordPress export (WXR 1.0, 1.1 or 1.2): no <rss> with the http://wordpress.org/export/1.x/ namespace.`,
      );
    siteGiven = true;
    onSite(site);
  };
  await streamXmlRecords(
    file,
    {
      prefixOf: (uri) => {
        const version = wpNamespace.exec(uri)?.[1];
        if (!version) return otherNamespaces[uri] ?? '';
        site.version ||= version;
        return 'wp';
      },
      onRoot: (name) => void (root = name),
      isRecord: (name, depth) => (name === 'item' && depth === 2) || (name === 'wp:base_site_url' && depth === 2),
    },
    async (record) => {
      if (record.name === 'wp:base_site_url') {
        site.baseSiteUrl = record.text.trim();
        return;
      }
      giveSite();
      await onItem(itemOf(record));
    },
  );
  giveSite();
}
