import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { commentStatuses } from '../shared/comment-status';
import { renderCommentText } from '../shared/comment-text';
import type { Database } from '../db/database';
import { renderedPostBody } from '../posts/post-markdown';
import { postLimits, slugPattern } from '../posts/posts-schema';
import {
  attachReplies,
  countSkipped,
  freeSlug,
  newReport,
  type ImportOptions,
  type ImportReport,
} from './import-report';
import { inImportTransaction } from './imports-repository';
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
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let origin = '';
  const postIds = new Map<number, number>(); // exported post id → here
  const commentIds = new Map<number, number>(); // exported comment id → here
  const parentOf = new Map<number, number>(); // new comment here → its parent's exported id

  await inImportTransaction(db, dryRun, async (writer) => {
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber += 1;
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new ExportFormatError(`${file}:${lineNumber}: not valid JSON.`);
      }
      if (!origin) {
        const parsed = header.safeParse(value);
        if (!parsed.success)
          throw new ExportFormatError(
            `${file} is not a marginalia export: its first line is not {"format":"marginalia","version":1,"origin":…}.`,
          );
        origin = parsed.data.origin;
        report.version = '1';
        continue;
      }
      const type = (value as { type?: unknown } | null)?.type;
      const parsed = type === 'post' ? postLine.safeParse(value) : commentLine.safeParse(value);
      if (!parsed.success)
        throw new ExportFormatError(
          `${file}:${lineNumber}: ${parsed.error.issues[0]?.path.join('.') ?? 'line'} ${parsed.error.issues[0]?.message ?? 'is not valid'}.`,
        );
      const item = parsed.data;
      if (item.type === 'post') {
        const sourceId = item.sourceId ?? `marginalia:${origin}#post-${item.id}`;
        const existing = await writer.findPostBySource(sourceId);
        if (existing) {
          report.posts.alreadyImported += 1;
          postIds.set(item.id, existing.id);
          continue;
        }
        const created = await writer.createPost({
          sourceId,
          slug: await freeSlug(writer, report, item.slug),
          title: item.title,
          ...renderedPostBody(item.bodyMarkdown),
          authorName: item.authorName,
          publishedAt: item.publishedAt,
          commentsOpen: item.commentsOpen,
        });
        postIds.set(item.id, created.id);
        report.posts.created += 1;
      } else {
        const postId = postIds.get(item.postId);
        if (postId === undefined) {
          report.orphans.push(String(item.id));
          continue;
        }
        const sourceId = item.sourceId ?? `marginalia:${origin}#comment-${item.id}`;
        const existing = (await writer.commentIdsBySource([sourceId])).get(sourceId);
        if (existing !== undefined) {
          commentIds.set(item.id, existing);
          report.comments.alreadyImported += 1;
          continue;
        }
        if (!item.text.trim()) {
          countSkipped(report, 'empty comments');
          continue;
        }
        const status = item.status;
        const id = await writer.createComment({
          sourceId,
          postId,
          parentId: null,
          authorName: item.authorName,
          authorEmail: item.authorEmail,
          authorUrl: item.authorUrl,
          text: item.text,
          textHtml: renderCommentText(item.text),
          status,
          ipAddress: item.ipAddress,
          userAgent: item.userAgent,
          createdAt: item.createdAt,
          arrivalNote: item.arrivalNote ?? 'imported from a marginalia export',
        });
        await writer.addStatusHistory(id, item.statusChanges);
        commentIds.set(item.id, id);
        if (item.parentId !== null) parentOf.set(id, item.parentId);
        report.comments.created[status] += 1;
      }
      onProgress?.({ posts: postIds.size, comments: commentIds.size });
    }
    if (!origin) throw new ExportFormatError(`${file} is empty.`);
    await attachReplies(writer, report, parentOf, commentIds);
  });
  return report;
}
