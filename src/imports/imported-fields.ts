import { commentFieldRules, commentLimits } from '../comments/comments-schema';
import { postLimits, termLimits } from '../posts/posts-schema';
import { byteLength, normaliseText } from '../validation/text-field';
import { countDropped, countSkipped, type ImportReport } from './import-report';

// What an import stores meets the rules the forms apply. A web address that is not http(s) (or
// carries a password), and an email address that is not one, are dropped and counted: the
// comment stays. A text, name, title or body over its limit leaves its comment or post out,
// reported with the line of the file where its item starts.

const bytes = (value: number) => `${value.toLocaleString('en-US')} bytes`;

function overLimit(what: string, field: string, value: string, limit: number): string | null {
  const size = byteLength(value);
  return size > limit ? `${what} was left out: ${field} is ${bytes(size)}, over the limit of ${bytes(limit)}` : null;
}

export interface RawImportedComment {
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  /** The text as plain text (HTML already turned into text). */
  text: string;
}

export type ImportedCommentFields = RawImportedComment;

/** A comment's fields as they are stored, or null when it is left out (counted, and reported when over a limit). */
export function importedCommentFields(
  raw: RawImportedComment,
  report: ImportReport,
  where: string,
): ImportedCommentFields | null {
  const text = normaliseText(raw.text, true);
  if (!text) {
    countSkipped(report, 'empty comments');
    return null;
  }
  const authorName = normaliseText(raw.authorName, false) || 'Anonymous';
  const problem =
    overLimit('a comment', 'its text', text, commentLimits.comment) ??
    overLimit('a comment', 'its author’s name', authorName, commentLimits.author);
  if (problem) {
    countSkipped(report, 'comments over a size limit');
    report.errors.push(`${where}: ${problem}`);
    return null;
  }
  return {
    authorName,
    authorEmail: emailOf(raw.authorEmail, report),
    authorUrl: webAddressOf(raw.authorUrl, report),
    text,
  };
}

function emailOf(raw: string, report: ImportReport): string {
  const typed = normaliseText(raw, false);
  if (!typed) return '';
  const email = commentFieldRules.email.safeParse(typed);
  if (email.success) return email.data;
  countDropped(report, 'invalid email addresses');
  return '';
}

function webAddressOf(raw: string | null, report: ImportReport): string | null {
  if (!raw?.trim()) return null;
  const url = commentFieldRules.url.safeParse(raw);
  if (url.success) return url.data;
  countDropped(report, 'web addresses that are not http(s)');
  return null;
}

export interface RawImportedPost {
  title: string;
  bodyMarkdown: string;
  authorName: string;
}

/** A post's fields as they are stored, or null when one is over its limit (counted and reported). */
export function importedPostFields(raw: RawImportedPost, report: ImportReport, where: string): RawImportedPost | null {
  const post = {
    title: normaliseText(raw.title, false),
    bodyMarkdown: normaliseText(raw.bodyMarkdown, true),
    authorName: normaliseText(raw.authorName, false),
  };
  const what = 'a post (with its comments)';
  const problem =
    overLimit(what, 'its body', post.bodyMarkdown, postLimits.body) ??
    overLimit(what, 'its title', post.title, postLimits.title) ??
    overLimit(what, 'its author’s name', post.authorName, postLimits.author);
  if (!problem) return post;
  countSkipped(report, 'posts over a size limit');
  report.errors.push(`${where}: ${problem}`);
  return null;
}

/** Category or tag names as the forms would keep them: one line each, at most 100 bytes (else dropped and counted). */
export function termNames(raw: readonly string[], report: ImportReport): string[] {
  const names: string[] = [];
  for (const name of raw.map((value) => normaliseText(value, false))) {
    if (name === '') continue;
    if (byteLength(name) > termLimits.name) countDropped(report, 'category or tag names over 100 bytes');
    else names.push(name);
  }
  return names;
}
