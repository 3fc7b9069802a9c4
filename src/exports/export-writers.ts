import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import escapeHtml from 'escape-html';
import { createCB } from 'xmlbuilder2';
import { makeFolderFor } from '../db/private-file';
import type { ExportedComment, ExportsRepository } from './exports-repository';

export interface ExportResult {
  posts: number;
  comments: number;
}

/** An export would overwrite a file; the message says which. */
export class ExportTargetError extends Error {
  override name = 'ExportTargetError';
}

/** Writes to `file` a chunk at a time, waiting when the disk is behind, so memory stays bounded. */
async function writeTo(
  file: string,
  produce: (write: (text: string) => Promise<void>) => Promise<ExportResult>,
): Promise<ExportResult> {
  if (existsSync(file))
    throw new ExportTargetError(`${file} already exists; choose a new file name (an export never overwrites a file).`);
  // An export holds every commenter's email address: readable by its owner only.
  makeFolderFor(file);
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  await once(out, 'open');
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  try {
    const result = await produce(write);
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    return result;
  } catch (error) {
    out.destroy();
    throw error;
  }
}

export const jsonFormat = { format: 'marginalia', version: 1 } as const;

/**
 * marginalia's own format (docs/EXPORT-FORMAT.md): JSON Lines, a header line, then each post
 * followed by its comments, every field marginalia keeps. `npm run import -- json` reads it back.
 */
export function writeJsonExport(repo: ExportsRepository, file: string, now = new Date()): Promise<ExportResult> {
  return writeTo(file, async (write) => {
    await write(`${JSON.stringify({ ...jsonFormat, exportedAt: now.toISOString(), origin: await repo.origin() })}\n`);
    const result = { posts: 0, comments: 0 };
    for await (const post of repo.posts()) {
      await write(`${JSON.stringify({ type: 'post', ...post })}\n`);
      result.posts += 1;
      for (const comment of await repo.commentsOf(post.id)) {
        await write(`${JSON.stringify({ type: 'comment', ...comment })}\n`);
        result.comments += 1;
      }
    }
    return result;
  });
}

/**
 * Text for xmlbuilder2: it escapes < and >, but leaves an & that looks like the start of an entity
 * ("&amp;", "&lt;") alone, as if already escaped; escaping every & first keeps such text as typed.
 */
const xmlText = (value: string): string => value.replaceAll('&', '&amp;');

// marginalia's statuses as WordPress's comment_approved values.
const approvedValue: Record<string, string> = { approved: '1', pending: '0', spam: 'spam', trash: 'trash' };
// marginalia's post statuses as WordPress's.
const wordpressStatus: Record<string, string> = { published: 'publish', scheduled: 'future', draft: 'draft' };
const wordpressDate = (date: Date) => date.toISOString().slice(0, 19).replace('T', ' ');

/**
 * A WordPress export (WXR 1.2) that WordPress's own importer reads: each post with its rendered
 * HTML and its comments (author, email, address, IP, GMT date, status, parent).
 */
export function writeWxrExport(
  repo: ExportsRepository,
  file: string,
  site: { title: string; url: string },
  now = new Date(),
): Promise<ExportResult> {
  return writeTo(file, async (write) => {
    let pending = '';
    const xml = createCB({ data: (text: string) => void (pending += text), prettyPrint: true });
    const flush = async () => {
      const text = pending;
      pending = '';
      await write(text);
    };
    const channel = xml
      .dec({ version: '1.0', encoding: 'UTF-8' })
      .ele('rss', {
        version: '2.0',
        'xmlns:excerpt': 'http://wordpress.org/export/1.2/excerpt/',
        'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
        'xmlns:wfw': 'http://wellformedweb.org/CommentAPI/',
        'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
        'xmlns:wp': 'http://wordpress.org/export/1.2/',
      })
      .ele('channel');
    channel
      .ele('title')
      .txt(xmlText(site.title))
      .up()
      .ele('link')
      .txt(xmlText(site.url))
      .up()
      .ele('pubDate')
      .txt(xmlText(now.toUTCString()))
      .up();
    channel
      .ele('wp:wxr_version')
      .txt('1.2')
      .up()
      .ele('wp:base_site_url')
      .txt(xmlText(site.url))
      .up()
      .ele('wp:base_blog_url')
      .txt(xmlText(site.url))
      .up();
    const result = { posts: 0, comments: 0 };
    for await (const post of repo.posts()) {
      const item = channel.ele('item');
      item.ele('title').txt(xmlText(post.title)).up();
      item
        .ele('link')
        .txt(xmlText(`${site.url}/posts/${post.slug}`))
        .up();
      item.ele('pubDate').txt(xmlText(post.publishedAt.toUTCString())).up();
      item.ele('dc:creator').txt(xmlText(post.authorName)).up();
      item
        .ele('guid', { isPermaLink: 'false' })
        .txt(xmlText(`${site.url}/posts/${post.slug}`))
        .up();
      // WordPress has no thread without a post: an embedded page's thread goes as a post that says
      // whose comments they are.
      const body = post.embedUrl
        ? `<p>The comments on <a href="${escapeHtml(post.embedUrl)}">${escapeHtml(post.embedUrl)}</a>.</p>`
        : post.bodyHtml;
      item.ele('content:encoded').txt(xmlText(body)).up();
      item.ele('excerpt:encoded').txt('').up();
      item
        .ele('wp:post_id')
        .txt(xmlText(String(post.id)))
        .up();
      item
        .ele('wp:post_date')
        .txt(xmlText(wordpressDate(post.publishedAt)))
        .up();
      item
        .ele('wp:post_date_gmt')
        .txt(xmlText(wordpressDate(post.publishedAt)))
        .up();
      item
        .ele('wp:comment_status')
        .txt(xmlText(post.commentsOpen ? 'open' : 'closed'))
        .up();
      item.ele('wp:ping_status').txt('closed').up();
      item.ele('wp:post_name').txt(xmlText(post.slug)).up();
      item
        .ele('wp:status')
        .txt(wordpressStatus[post.status] ?? 'draft')
        .up();
      item.ele('wp:post_parent').txt('0').up();
      item.ele('wp:menu_order').txt('0').up();
      item.ele('wp:post_type').txt('post').up();
      for (const comment of await repo.commentsOf(post.id)) {
        writeWxrComment(item, comment);
        result.comments += 1;
      }
      item.up();
      result.posts += 1;
      await flush();
    }
    channel.up().up();
    xml.end();
    await flush();
    return result;
  });
}

type XmlElement = ReturnType<ReturnType<typeof createCB>['ele']>;

function writeWxrComment(item: XmlElement, comment: ExportedComment): void {
  const element = item.ele('wp:comment');
  element
    .ele('wp:comment_id')
    .txt(xmlText(String(comment.id)))
    .up();
  element.ele('wp:comment_author').txt(xmlText(comment.authorName)).up();
  element.ele('wp:comment_author_email').txt(xmlText(comment.authorEmail)).up();
  element
    .ele('wp:comment_author_url')
    .txt(xmlText(comment.authorUrl ?? ''))
    .up();
  element
    .ele('wp:comment_author_IP')
    .txt(xmlText(comment.ipAddress ?? ''))
    .up();
  element
    .ele('wp:comment_date')
    .txt(xmlText(wordpressDate(comment.createdAt)))
    .up();
  element
    .ele('wp:comment_date_gmt')
    .txt(xmlText(wordpressDate(comment.createdAt)))
    .up();
  // WordPress keeps comment content as HTML: the text, escaped, shows as the same text there.
  element
    .ele('wp:comment_content')
    .txt(xmlText(escapeHtml(comment.text)))
    .up();
  element
    .ele('wp:comment_approved')
    .txt(xmlText(approvedValue[comment.status] ?? '0'))
    .up();
  element.ele('wp:comment_type').txt('comment').up();
  element
    .ele('wp:comment_parent')
    .txt(xmlText(String(comment.parentId ?? 0)))
    .up();
  element.ele('wp:comment_user_id').txt('0').up();
  element.up();
}
