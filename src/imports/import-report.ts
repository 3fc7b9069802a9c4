import type { CommentStatus } from '../shared/comment-status';
import type { ImportWriter } from './imports-repository';

// What every importer shares: the report it returns, and the small rules for what it writes.

export interface ImportReport {
  format: 'wordpress' | 'disqus' | 'json';
  version: string;
  dryRun: boolean;
  posts: { created: number; alreadyImported: number };
  /** Categories and tags set on the posts created (each post's, counted). */
  terms: { categories: number; tags: number };
  comments: { created: Record<CommentStatus, number>; alreadyImported: number };
  /** What was left out, by reason (pingbacks, trackbacks, drafts, attachments…), with counts. */
  skipped: Record<string, number>;
  /** Fields left empty because they broke the forms' rules (a web address that is not http(s)…), with counts. */
  dropped: Record<string, number>;
  /** Replies whose parent was not imported, attached to the nearest imported ancestor (or the top level). */
  reattachedReplies: number;
  /** Imported comments the spam filter learned from: approved ones as legitimate, spam as spam. */
  spamFilterLearned: number;
  /** Posts whose address was taken here, and the address they got instead. */
  renamedSlugs: { from: string; to: string }[];
  /** Comments whose thread (post) is not in the file (Disqus): left out, and listed here by id. */
  orphans: string[];
  /** Problems that left something out, with the line of the file where its item starts. */
  errors: string[];
}

/** An empty report. */
export function newReport(format: ImportReport['format'], dryRun: boolean): ImportReport {
  return {
    format,
    version: '',
    dryRun,
    posts: { created: 0, alreadyImported: 0 },
    terms: { categories: 0, tags: 0 },
    comments: { created: { approved: 0, pending: 0, spam: 0, trash: 0 }, alreadyImported: 0 },
    skipped: {},
    dropped: {},
    reattachedReplies: 0,
    spamFilterLearned: 0,
    renamedSlugs: [],
    orphans: [],
    errors: [],
  };
}

/** Counts something left out, by reason. */
export function countSkipped(report: ImportReport, reason: string, count = 1): void {
  report.skipped[reason] = (report.skipped[reason] ?? 0) + count;
}

/** Counts a field left empty, by reason. */
export function countDropped(report: ImportReport, reason: string): void {
  report.dropped[reason] = (report.dropped[reason] ?? 0) + 1;
}

/** A free address for an imported post: `wanted`, or `wanted-2`, `-3`… (reported) when taken here. */
export async function freeSlug(writer: ImportWriter, report: ImportReport, wanted: string): Promise<string> {
  let slug = wanted;
  for (let n = 2; await writer.isSlugTaken(slug); n += 1) slug = `${wanted.slice(0, 95)}-${n}`;
  if (slug !== wanted) report.renamedSlugs.push({ from: wanted, to: slug });
  return slug;
}

/**
 * Links imported replies to their parents once the whole file is read (a reply may come before its
 * parent). `parentOf` maps each new reply to its parent's id in the file, `idsHere` those ids to
 * comments here; a parent that was not imported leaves its reply at the top level, counted.
 */
export async function attachReplies<FileId>(
  writer: ImportWriter,
  report: ImportReport,
  parentOf: Map<number, FileId>,
  idsHere: Map<FileId, number>,
): Promise<void> {
  for (const [id, parent] of parentOf) {
    const parentId = idsHere.get(parent);
    if (parentId === undefined) report.reattachedReplies += 1;
    else await writer.setParent(id, parentId);
  }
}

export interface ImportOptions {
  dryRun?: boolean;
  onProgress?: (done: { posts: number; comments: number }) => void;
}
