import TurndownService from 'turndown';
import type { CommentStatus } from '../shared/comment-status';
import { renderCommentText } from '../shared/comment-text';
import type { Database } from '../db/database';
import { renderedPostBody } from '../posts/post-markdown';
import { postLimits, slugFrom } from '../posts/posts-schema';
import { pathKey, reservedPageSlugs } from '../posts/post-status';
import { byteLength, normaliseText } from '../validation/text-field';
import { commentHtmlToText } from './comment-html';
import { countSkipped, freeSlug, newReport, type ImportOptions, type ImportReport } from './import-report';
import { importedCommentFields, importedPostFields, termNames } from './imported-fields';
import { inImportTransaction, type ImportWriter } from './imports-repository';
import { readWxr, type WxrComment, type WxrItem, type WxrSite } from './wxr-reader';

const toMarkdown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
/** What the figure rule reads of a node (turndown's DOM, typed here without the DOM library). */
interface FigureElement {
  nodeName: string;
  querySelector(selector: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
}

// WordPress's <figure> of an image with a <figcaption>: an image alone in its paragraph with the
// caption as its title, which the post renderer turns back into a figure with that caption.
toMarkdown.addRule('figure with caption', {
  filter: (node) => {
    const figure = node as unknown as FigureElement;
    return (
      figure.nodeName === 'FIGURE' &&
      figure.querySelector('img') !== null &&
      figure.querySelector('figcaption') !== null
    );
  },
  replacement: (_content, node) => {
    const figure = node as unknown as FigureElement;
    const image = figure.querySelector('img')!;
    const caption = (figure.querySelector('figcaption')!.textContent ?? '').replace(/\s+/g, ' ').trim();
    const text = (value: string) => value.replace(/[\\"\][]/g, (character) => `\\${character}`);
    const src = (image.getAttribute('src') ?? '').replace(/[()\s]/g, encodeURIComponent);
    return `\n\n![${text(image.getAttribute('alt') ?? '')}](${src} "${text(caption)}")\n\n`;
  },
});

// WordPress's post statuses as marginalia's: what was public stays public, what was scheduled
// stays scheduled, and drafts, posts waiting for review and private posts come in as drafts.
const postStatusOf: Record<string, 'published' | 'scheduled' | 'draft'> = {
  publish: 'published',
  future: 'scheduled',
  draft: 'draft',
  pending: 'draft',
  private: 'draft',
};

/**
 * The addresses a WordPress post had, to redirect from: its permalink's path (with the query for
 * plain permalinks), and the ?p= (or, for a page, ?page_id=) form every WordPress site answers.
 */
function oldAddresses(item: WxrItem, type: string): string[] {
  const addresses = [`/?${type === 'page' ? 'page_id' : 'p'}=${item.postId.trim()}`];
  const link = URL.canParse(item.link.trim()) ? new URL(item.link.trim()) : null;
  if (link && (link.pathname !== '/' || /^\?(p|page_id)=\d+$/.test(link.search))) {
    addresses.push(/^\?(p|page_id)=\d+$/.test(link.search) ? `/${link.search}` : pathKey(link.pathname));
  }
  return [...new Set(addresses)].filter((address) => address.length <= 2000);
}
const startsWithBlock = /^\s*<(p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|hr|!--)\b/i;

/**
 * WordPress stores a classic post's paragraphs as blank lines and line breaks as newlines, adding
 * the <p> and <br> only on display (wpautop); HTML to Markdown needs them in the HTML.
 */
function withParagraphs(html: string): string {
  return html
    .split(/\n\s*\n/)
    .map((chunk) => (startsWithBlock.test(chunk) ? chunk : `<p>${chunk.trim().replace(/\n/g, '<br>\n')}</p>`))
    .join('\n');
}

// WordPress's comment_approved values.
const statuses: Record<string, CommentStatus> = {
  '1': 'approved',
  '0': 'pending',
  spam: 'spam',
  trash: 'trash',
  'post-trashed': 'trash',
};

/** A WordPress date ("2020-01-31 18:05:00"); the GMT one, else the local one read as UTC. */
function wordpressDate(gmt: string, local: string): Date | null {
  for (const value of [gmt, local]) {
    const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
    if (match && match[1] !== '0000')
      return new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!));
  }
  return null;
}

/**
 * Imports a WordPress export (WXR 1.0–1.2): published posts and pages become posts, and every
 * comment keeps its author, email, address, IP, date, status and thread. One transaction: a file
 * that turns out malformed halfway writes nothing. Each post and comment keeps its source id, so
 * importing the same file again creates nothing new.
 */
export async function importWordPress(
  db: Database,
  file: string,
  { dryRun = false, onProgress }: ImportOptions = {},
): Promise<ImportReport> {
  const report = newReport('wordpress', dryRun);
  const skip = (reason: string, count = 1) => countSkipped(report, reason, count);
  let site: WxrSite = { version: '', baseSiteUrl: '' };
  let done = { posts: 0, comments: 0 };

  await inImportTransaction(db, dryRun, (writer) =>
    readWxr(
      file,
      (found) => {
        site = found;
        report.version = found.version;
      },
      async (item) => {
        await importItem(writer, item);
        done = { posts: done.posts + 1, comments: done.comments + item.comments.length };
        onProgress?.(done);
      },
    ),
  );
  return report;

  async function importItem(writer: ImportWriter, item: WxrItem): Promise<void> {
    const type = item.postType.trim() || 'post';
    if (type !== 'post' && type !== 'page') return skip(`${type} items`);
    if (!(item.status.trim() in postStatusOf)) {
      skip(`posts not imported (${item.status.trim() || 'no status'})`);
      if (item.comments.length) skip('comments on posts not imported', item.comments.length);
      return;
    }
    if (!/^\d+$/.test(item.postId.trim())) {
      report.errors.push(`line ${item.line}: an item without a wp:post_id was left out (“${item.title.trim()}”)`);
      return;
    }
    const post = await findOrCreatePost(writer, item, type);
    if (post) await importComments(writer, item, post.id);
    else if (item.comments.length) skip('comments on posts not imported', item.comments.length);
  }

  /** The post here for this item: found, or made from it; null when it breaks a size limit (reported). */
  async function findOrCreatePost(writer: ImportWriter, item: WxrItem, type: string): Promise<{ id: number } | null> {
    const sourceId = `wordpress:${site.baseSiteUrl}#post-${item.postId.trim()}`;
    const existing = await writer.findPostBySource(sourceId);
    if (existing) {
      report.posts.alreadyImported += 1;
      return existing;
    }
    // Its HTML far over the limit is not converted at all: Markdown is rarely longer than its HTML.
    const html = item.contentHtml || '';
    const bodyMarkdown = byteLength(html) > 4 * postLimits.body ? html : toMarkdown.turndown(withParagraphs(html));
    const where = `line ${item.line}`;
    const fields = importedPostFields({ title: item.title, bodyMarkdown, authorName: item.creator }, report, where);
    if (!fields) return null;
    const title = fields.title || `Post ${item.postId.trim()}`;
    const wanted = slugFrom(item.postName.trim() || title) || `post-${item.postId.trim()}`;
    const slug = await freeSlug(writer, report, wanted);
    report.posts.created += 1;
    // Pages have no categories or tags here.
    const categories = type === 'page' ? [] : termNames(item.categories, report);
    const tags = type === 'page' ? [] : termNames(item.tags, report);
    report.terms.categories += categories.length;
    report.terms.tags += tags.length;
    const status = postStatusOf[item.status.trim()] ?? 'draft';
    // A draft WordPress never dated has no GMT date ("0000-00-00 00:00:00"): its date is not chosen.
    const dated = wordpressDate(item.postDateGmt, '') !== null;
    return writer.createPost({
      sourceId,
      slug,
      title,
      ...renderedPostBody(fields.bodyMarkdown),
      authorName: fields.authorName || 'Unknown author',
      publishedAt: wordpressDate(item.postDateGmt, item.postDate) ?? new Date(0),
      commentsOpen: item.commentStatus.trim() === 'open',
      status,
      kind: type === 'page' && !reservedPageSlugs.has(slug) && !/^\d{4}$/.test(slug) ? 'page' : 'post',
      dateChosen: status !== 'draft' || dated,
      redirects: oldAddresses(item, type),
      categories,
      tags,
    });
  }

  async function importComments(writer: ImportWriter, item: WxrItem, postId: number): Promise<void> {
    const comments = item.comments.filter((comment) => /^\d+$/.test(comment.id.trim()));
    if (comments.length < item.comments.length)
      report.errors.push(
        `line ${item.line}: ${item.comments.length - comments.length} comment(s) without a wp:comment_id were left out`,
      );
    const sourceIdOf = (id: string) => `wordpress:${site.baseSiteUrl}#comment-${id}`;
    const byId = new Map(comments.map((comment) => [comment.id.trim(), comment]));
    const idsHere = await writer.commentIdsBySource(comments.map((comment) => sourceIdOf(comment.id.trim())));
    const imported = new Map<string, number>();
    const whenOf = (comment: WxrComment) => wordpressDate(comment.dateGmt, comment.date)?.getTime() ?? 0;
    // Oldest first (parents before replies), ties by id.
    const ordered = [...comments].sort((a, b) => whenOf(a) - whenOf(b) || Number(a.id) - Number(b.id));

    /** The nearest ancestor that is here; null for the top level. */
    const parentHere = (comment: WxrComment): number | null => {
      const seen = new Set<string>();
      for (
        let parent = comment.parentId.trim();
        parent && parent !== '0' && !seen.has(parent);
        parent = byId.get(parent)?.parentId.trim() ?? ''
      ) {
        seen.add(parent);
        const id = imported.get(parent);
        if (id !== undefined) return id;
      }
      return null;
    };

    // Parents before their replies, even when a reply's date is earlier than its parent's.
    const done = new Set<string>();
    const importInOrder = async (comment: WxrComment): Promise<void> => {
      const id = comment.id.trim();
      if (done.has(id)) return;
      done.add(id);
      const parent = byId.get(comment.parentId.trim());
      if (parent) await importInOrder(parent);
      await importComment(comment);
    };
    for (const comment of ordered) await importInOrder(comment);

    async function importComment(comment: WxrComment): Promise<void> {
      const id = comment.id.trim();
      const type = comment.type.trim();
      if (type === 'pingback' || type === 'trackback') return skip(`${type}s`);
      const existing = idsHere.get(sourceIdOf(id));
      if (existing !== undefined) {
        imported.set(id, existing);
        report.comments.alreadyImported += 1;
        return;
      }
      const fields = importedCommentFields(
        {
          authorName: comment.author,
          authorEmail: comment.email,
          authorUrl: comment.url,
          text: commentHtmlToText(comment.contentHtml),
        },
        report,
        `line ${item.line}`,
      );
      if (!fields) return;
      const parentId = parentHere(comment);
      const hadParent = comment.parentId.trim() !== '' && comment.parentId.trim() !== '0';
      if (hadParent && (parentId === null || !imported.has(comment.parentId.trim()))) report.reattachedReplies += 1;
      const status = statuses[comment.approved.trim()] ?? 'pending';
      const newId = await writer.createComment({
        sourceId: sourceIdOf(id),
        postId,
        parentId,
        ...fields,
        textHtml: renderCommentText(fields.text),
        status,
        ipAddress: normaliseText(comment.ip, false) || null,
        createdAt: wordpressDate(comment.dateGmt, comment.date) ?? new Date(0),
        arrivalNote: `imported from WordPress (comment ${id}, status “${comment.approved.trim()}”)`,
      });
      imported.set(id, newId);
      report.comments.created[status] += 1;
    }
  }
}
