import { z } from 'zod';
import { commentStatuses } from '../shared/comment-status';
import { renderCommentText } from '../shared/comment-text';
import type { Database } from '../db/database';
import { renderedPostBody } from '../posts/post-markdown';
import { postLimits, slugPattern } from '../posts/posts-schema';
import { embedKind, postKinds, postStatuses } from '../posts/post-status';
import { maxPageUrlLength, normalizePageUrl } from '../embeds/page-address';
import {
  attachReplies,
  countSkipped,
  freeSlug,
  newReport,
  type ImportOptions,
  type ImportReport,
} from './import-report';
import { boundedLines } from './bounded-lines';
import { importedCommentFields, importedPostFields, termNames } from './imported-fields';
import { inImportTransaction, type ImportWriter } from './imports-repository';
import { ExportFormatError } from './xml-records';

// Reads back marginalia's own export (docs/EXPORT-FORMAT.md): JSON Lines, a header, then each post
// followed by its comments. Line by line, so memory stays bounded.

const header = z.object({ format: z.literal('marginalia'), version: z.literal(1), origin: z.string().min(1) });
const date = z
  .string()
  .datetime({ offset: true })
  .transform((value) => new Date(value));
const postLine = z.object({
  type: z.literal('post'),
  id: z.number().int(),
  sourceId: z.string().nullable(),
  slug: z
    .string()
    .max(postLimits.slug)
    .regex(slugPattern, 'is not a post address (lower-case letters, digits and hyphens)'),
  title: z.string(),
  bodyMarkdown: z.string(),
  authorName: z.string(),
  publishedAt: date,
  commentsOpen: z.boolean(),
  // Exports before posts had a status: every post was published.
  status: z.enum(postStatuses).default('published'),
  kind: z.enum([...postKinds, embedKind]).default('post'),
  // An embedded thread's page; its old addresses (it moved) are among the redirects.
  embedUrl: z.string().max(maxPageUrlLength).nullable().default(null),
  dateChosen: z.boolean().default(true),
  redirects: z
    .array(
      z
        .string()
        .max(2000)
        .refine((path) => path.startsWith('/') || normalizePageUrl(path) === path, 'is not an address of the post'),
    )
    .max(1000)
    .default([]),
  categories: z.array(z.string().max(400)).max(100).default([]),
  tags: z.array(z.string().max(400)).max(100).default([]),
});
const commentLine = z.object({
  type: z.literal('comment'),
  id: z.number().int(),
  sourceId: z.string().nullable(),
  postId: z.number().int(),
  parentId: z.number().int().nullable(),
  authorName: z.string(),
  authorEmail: z.string(),
  authorUrl: z.string().nullable(),
  text: z.string(),
  status: z.enum(commentStatuses),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  arrivalNote: z.string().nullable(),
  byPostAuthor: z.boolean().default(false),
  pinnedAt: date.nullable().default(null),
  repliesLocked: z.boolean().default(false),
  erased: z.boolean().default(false),
  spamScore: z.number().min(0).max(1).nullable().default(null),
  spamReasons: z.string().max(10_000).nullable().default(null),
  spamLabel: z.enum(['spam', 'ham']).nullable().default(null),
  createdAt: date,
  statusChanges: z
    .array(
      z.object({
        fromStatus: z.enum(commentStatuses),
        toStatus: z.enum(commentStatuses),
        actor: z.string(),
        note: z.string().nullable(),
        createdAt: date,
      }),
    )
    .default([]),
});

/** No post or comment within the forms' limits comes near this on one line, even with every character escaped. */
const maxLineBytes = 4 * 1024 * 1024;

type PostLine = z.output<typeof postLine>;
type CommentLine = z.output<typeof commentLine>;

/**
 * Imports a marginalia JSON export. Posts and comments keep their source ids (an item made on the
 * exporting blog gets one naming that blog and its id there), so importing the same file twice
 * creates nothing new, and an export of an import imports as the same posts and comments.
 */
export async function importJson(
  db: Database,
  file: string,
  { dryRun = false, onProgress }: ImportOptions = {},
): Promise<ImportReport> {
  const report = newReport('json', dryRun);
  let origin = '';
  const postIds = new Map<number, number>(); // exported post id → here
  const postsLeftOut = new Set<number>(); // exported post ids over a limit
  const commentIds = new Map<number, number>(); // exported comment id → here
  const parentOf = new Map<number, number>(); // new comment here → its parent's exported id

  async function importPost(writer: ImportWriter, item: PostLine, where: string): Promise<void> {
    const sourceId = item.sourceId ?? `marginalia:${origin}#post-${item.id}`;
    const existing = await writer.findPostBySource(sourceId);
    if (existing) {
      report.posts.alreadyImported += 1;
      postIds.set(item.id, existing.id);
      return;
    }
    // An embedded page's thread: one per page, here as there (a thread already here takes its comments).
    const embedUrl = item.kind === embedKind ? item.embedUrl && normalizePageUrl(item.embedUrl) : null;
    if (item.kind === embedKind) {
      if (!embedUrl)
        throw new ExportFormatError(`${where}: an embedded page's thread needs its page's address (embedUrl).`);
      const thread = await writer.findThreadByUrl(embedUrl);
      if (thread) {
        report.posts.alreadyImported += 1;
        postIds.set(item.id, thread.id);
        return;
      }
    }
    const fields = importedPostFields(item, report, where);
    const categories = termNames(item.categories, report);
    const tags = termNames(item.tags, report);
    if (!fields) return void postsLeftOut.add(item.id);
    const created = await writer.createPost({
      sourceId,
      slug: await freeSlug(writer, report, item.slug),
      title: fields.title || `Post ${item.id}`,
      ...renderedPostBody(fields.bodyMarkdown),
      authorName: fields.authorName,
      publishedAt: item.publishedAt,
      commentsOpen: item.commentsOpen,
      status: item.status,
      kind: item.kind,
      embedUrl,
      dateChosen: item.dateChosen,
      redirects: item.redirects,
      categories,
      tags,
    });
    report.terms.categories += categories.length;
    report.terms.tags += tags.length;
    postIds.set(item.id, created.id);
    report.posts.created += 1;
  }

  async function importComment(writer: ImportWriter, item: CommentLine, where: string): Promise<void> {
    const postId = postIds.get(item.postId);
    if (postId === undefined) {
      if (postsLeftOut.has(item.postId)) countSkipped(report, 'comments on posts not imported');
      else report.orphans.push(String(item.id));
      return;
    }
    const sourceId = item.sourceId ?? `marginalia:${origin}#comment-${item.id}`;
    const existing = (await writer.commentIdsBySource([sourceId])).get(sourceId);
    if (existing !== undefined) {
      commentIds.set(item.id, existing);
      report.comments.alreadyImported += 1;
      return;
    }
    // An erased comment is a placeholder for its replies: no name or words to hold to the forms' rules.
    const fields = item.erased
      ? { authorName: 'Anonymous', authorEmail: '', authorUrl: null, text: '' }
      : importedCommentFields(item, report, where);
    if (!fields) return;
    const id = await writer.createComment({
      sourceId,
      postId,
      parentId: null,
      ...fields,
      textHtml: renderCommentText(fields.text),
      status: item.status,
      ipAddress: item.ipAddress,
      userAgent: item.userAgent,
      createdAt: item.createdAt,
      // An erased comment's note went with its words.
      arrivalNote: item.erased ? item.arrivalNote : (item.arrivalNote ?? 'imported from a marginalia export'),
      byPostAuthor: item.byPostAuthor,
      pinnedAt: item.pinnedAt,
      repliesLocked: item.repliesLocked,
      erased: item.erased,
      spamScore: item.spamScore,
      spamReasons: item.spamReasons,
      spamLabel: item.spamLabel,
    });
    // What the source's filter learned from it is learned again (npm run import retrains).
    if (item.spamLabel) report.spamFilterLearned += 1;
    await writer.addStatusHistory(id, item.statusChanges);
    commentIds.set(item.id, id);
    if (item.parentId !== null) parentOf.set(id, item.parentId);
    report.comments.created[item.status] += 1;
  }

  await inImportTransaction(db, dryRun, async (writer) => {
    for await (const line of boundedLines(file, maxLineBytes)) {
      if ('tooLong' in line) {
        if (!origin) throw new ExportFormatError(notAnExport(file));
        countSkipped(report, 'lines too long to be a post or comment');
        report.errors.push(
          `line ${line.number}: larger than ${maxLineBytes / 1024 / 1024} MB, so it cannot be a post or comment within the limits; left out`,
        );
        continue;
      }
      if (!line.text.trim()) continue;
      const value = parseJsonLine(file, line.number, line.text);
      if (!origin) {
        const parsed = header.safeParse(value);
        if (!parsed.success) throw new ExportFormatError(notAnExport(file));
        origin = parsed.data.origin;
        report.version = '1';
        continue;
      }
      const item = parseItem(file, line.number, value);
      if (item.type === 'post') await importPost(writer, item, `line ${line.number}`);
      else await importComment(writer, item, `line ${line.number}`);
      onProgress?.({ posts: postIds.size, comments: commentIds.size });
    }
    if (!origin) throw new ExportFormatError(`${file} is empty.`);
    await attachReplies(writer, report, parentOf, commentIds);
  });
  return report;
}

const notAnExport = (file: string) =>
  `${file} is not a marginalia export: its first line is not {"format":"marginalia","version":1,"origin":…}.`;

function parseJsonLine(file: string, number: number, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ExportFormatError(`${file}:${number}: not valid JSON.`);
  }
}

function parseItem(file: string, number: number, value: unknown): PostLine | CommentLine {
  const type = (value as { type?: unknown } | null)?.type;
  const parsed = type === 'post' ? postLine.safeParse(value) : commentLine.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ExportFormatError(
    `${file}:${number}: ${issue?.path.join('.') ?? 'line'} ${issue?.message ?? 'is not valid'}.`,
  );
}
