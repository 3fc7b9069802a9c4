import type { CommentStatus } from '../shared/comment-status';
import { renderCommentText } from '../shared/comment-text';
import type { Database } from '../db/database';
import { renderedPostBody } from '../posts/post-markdown';
import { commentFieldRules } from '../comments/comments-schema';
import { slugFrom } from '../posts/posts-schema';
import { normaliseText } from '../validation/text-field';
import { commentHtmlToText } from './comment-html';
import {
  attachReplies,
  countSkipped,
  freeSlug,
  newReport,
  type ImportOptions,
  type ImportReport,
} from './import-report';
import { importedCommentFields, importedPostFields } from './imported-fields';
import { inImportTransaction, type ImportWriter } from './imports-repository';
import { childAttribute, childText, ExportFormatError, streamXmlRecords, type XmlRecord } from './xml-records';

// A Disqus export: <thread>s (the pages comments were left on, by address) and <post>s (the
// comments), each with a Disqus id (dsq:id); a post names its thread and its parent by those ids.

const prefixOf = (uri: string): string => (uri === 'http://disqus.com/disqus-internals' ? 'dsq' : '');

interface DisqusThread {
  id: string;
  link: string;
  title: string;
  forum: string;
  createdAt: string;
  isClosed: boolean;
}

const isTrue = (value: string) => value.trim().toLowerCase() === 'true';
const isoDate = (value: string): Date => {
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? new Date(0) : date;
};

/** The last part of an address's path: WordPress-style permalinks end with the post's slug. */
function slugFromLink(link: string): string {
  try {
    const parts = new URL(link).pathname.split('/').filter(Boolean);
    return slugFrom(decodeURIComponent(parts.at(-1) ?? ''));
  } catch {
    return '';
  }
}

async function readThreads(file: string): Promise<Map<string, DisqusThread>> {
  const threads = new Map<string, DisqusThread>();
  let root = '';
  await streamXmlRecords(
    file,
    { prefixOf, onRoot: (name) => void (root = name), isRecord: (name, depth) => depth === 1 && name === 'thread' },
    (record) => {
      const id = record.attributes['dsq:id']?.trim() ?? '';
      threads.set(id, {
        id,
        link: childText(record, 'link'),
        title: childText(record, 'title'),
        forum: childText(record, 'forum'),
        createdAt: childText(record, 'createdAt'),
        isClosed: isTrue(childText(record, 'isClosed')),
      });
    },
  );
  if (root !== 'disqus')
    throw new ExportFormatError(`${file} is not a Disqus export: its root element is <${root}>, not <disqus>.`);
  return threads;
}

/**
 * Imports a Disqus export. Each thread's comments go to the post here whose address ends with the
 * thread's last path segment (import the WordPress posts first), or to a new post made for the
 * thread. Deleted comments arrive as trash, spam as spam, the rest approved. Two passes over the
 * file (threads, then comments) keep memory bounded; replies are linked to their parents at the end.
 */
export async function importDisqus(
  db: Database,
  file: string,
  { dryRun = false, onProgress }: ImportOptions = {},
): Promise<ImportReport> {
  const report = newReport('disqus', dryRun);
  report.version = 'Disqus XML';
  const threads = await readThreads(file);
  const postForThread = new Map<string, number | null>();
  const idsByDisqusId = new Map<string, number>();
  const parentOf = new Map<number, string>(); // new comment → its parent's Disqus id
  let done = 0;

  /** The post here for a thread: found, or made for it; null when its title is over the limit (reported once). */
  async function postFor(writer: ImportWriter, thread: DisqusThread): Promise<number | null> {
    const known = postForThread.get(thread.id);
    if (known !== undefined) return known;
    const sourceId = `disqus:${thread.forum}#thread-${thread.id}`;
    const slug = slugFromLink(thread.link);
    let post = (await writer.findPostBySource(sourceId)) ?? (slug ? await writer.findPostBySlug(slug) : null);
    if (post) report.posts.alreadyImported += 1;
    else {
      const link = commentFieldRules.url.safeParse(thread.link);
      const body = link.success && link.data ? `First published at <${link.data}>.` : '';
      const raw = { title: thread.title || thread.link || `Thread ${thread.id}`, bodyMarkdown: body, authorName: '' };
      const fields = importedPostFields(raw, report, `thread ${thread.id}`);
      if (!fields) {
        postForThread.set(thread.id, null);
        return null;
      }
      post = await writer.createPost({
        sourceId,
        slug: await freeSlug(writer, report, slug || slugFrom(fields.title) || `thread-${thread.id}`),
        title: fields.title,
        ...renderedPostBody(fields.bodyMarkdown),
        authorName: 'Unknown author',
        publishedAt: isoDate(thread.createdAt),
        commentsOpen: !thread.isClosed,
      });
      report.posts.created += 1;
    }
    postForThread.set(thread.id, post.id);
    return post.id;
  }

  async function importPost(writer: ImportWriter, record: XmlRecord): Promise<void> {
    const id = record.attributes['dsq:id']?.trim() ?? '';
    const thread = threads.get(childAttribute(record, 'thread', 'dsq:id'));
    if (!thread) {
      report.orphans.push(id || `line ${record.line}`);
      return;
    }
    const postId = await postFor(writer, thread);
    if (postId === null) return countSkipped(report, 'comments on posts not imported');
    const sourceId = `disqus:${thread.forum}#post-${id}`;
    const existing = await writer.commentIdsBySource([sourceId]);
    if (existing.has(sourceId)) {
      idsByDisqusId.set(id, existing.get(sourceId)!);
      report.comments.alreadyImported += 1;
      return;
    }
    const author = record.children.find((child) => child.name === 'author');
    const raw = {
      authorName: author ? childText(author, 'name') : '',
      authorEmail: author ? childText(author, 'email') : '',
      authorUrl: null,
      text: commentHtmlToText(childText(record, 'message')),
    };
    const fields = importedCommentFields(raw, report, `line ${record.line}`);
    if (!fields) return;
    const status: CommentStatus = isTrue(childText(record, 'isSpam'))
      ? 'spam'
      : isTrue(childText(record, 'isDeleted'))
        ? 'trash'
        : 'approved';
    const newId = await writer.createComment({
      sourceId,
      postId,
      parentId: null,
      ...fields,
      textHtml: renderCommentText(fields.text),
      status,
      ipAddress: normaliseText(childText(record, 'ipAddress'), false) || null,
      createdAt: isoDate(childText(record, 'createdAt')),
      arrivalNote: `imported from Disqus (post ${id})`,
    });
    idsByDisqusId.set(id, newId);
    const parent = childAttribute(record, 'parent', 'dsq:id');
    if (parent) parentOf.set(newId, parent);
    report.comments.created[status] += 1;
  }

  await inImportTransaction(db, dryRun, async (writer) => {
    await streamXmlRecords(
      file,
      { prefixOf, isRecord: (name, depth) => depth === 1 && name === 'post' },
      async (record) => {
        await importPost(writer, record);
        done += 1;
        onProgress?.({ posts: postForThread.size, comments: done });
      },
    );
    // A parent not in the file, or in a thread that is gone, leaves its reply at the top level.
    await attachReplies(writer, report, parentOf, idsByDisqusId);
  });
  return report;
}
