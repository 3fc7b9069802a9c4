import type { CommentStatus } from '../shared/comment-status';
import type { SpamVerdict } from '../spam-filter/spam-filter-service';
import type { ModerationSettings } from './moderation-settings';

/** What the rules see of a newly submitted comment. */
export interface ArrivingComment {
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  text: string;
  ipAddress: string | null;
  userAgent: string | null;
}

export interface ArrivalDecision {
  status: CommentStatus;
  /** Why, for the moderator (kept in the comment's status history). */
  note: string;
}

const linkPattern = /https?:\/\//gi;
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first entry of `words` found in any of `fields`, or null. Case-insensitive. */
function findWord(words: readonly string[], fields: readonly string[], wholeWords: boolean): string | null {
  const haystack = fields.join('\n').normalize('NFC').toLowerCase();
  for (const word of words) {
    const found = wholeWords
      ? new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(word)}(?![\\p{L}\\p{N}_])`, 'u').test(haystack)
      : haystack.includes(word);
    if (found) return word;
  }
  return null;
}

/**
 * The status a new comment arrives with, in WordPress's order: disallowed words send it to spam;
 * otherwise moderation words or too many links hold it; otherwise the mode decides ("known"
 * approves an author whom the caller found to have an approved comment under the same name and
 * email, sent from the same browser or network). Then the spam filter's verdict, once it has
 * learned enough: a spam score sends it to spam, an unsure one holds it; it never approves.
 */
export function decideArrivalStatus(
  comment: ArrivingComment,
  settings: ModerationSettings,
  isKnownAuthor: boolean,
  spam: SpamVerdict | null = null,
): ArrivalDecision {
  const decision = decideByRules(comment, settings, isKnownAuthor);
  if (!spam?.decides || decision.status === 'spam') return decision;
  // For spam, the tokens that pointed to spam; when unsure, those that pointed either way. Not the
  // name's words or the website: the note outlives an erasure of its author's data.
  const isSpam = spam.score >= spam.spamAt;
  const telling = spam.reasons
    .filter((reason) => !isSpam || reason.probability >= 0.5)
    .map((reason) => reason.token)
    .filter((token) => !/^(?:name|site|site-tld):/.test(token));
  const why = `${spam.score.toFixed(2)}: ${telling.join(', ') || 'no telling token'}`;
  if (isSpam) return { status: 'spam', note: `the spam filter scored it as spam (${why})` };
  if (spam.score > spam.unsureAbove && decision.status === 'approved')
    return { status: 'pending', note: `held: the spam filter is unsure of it (${why})` };
  return decision;
}

function decideByRules(
  comment: ArrivingComment,
  settings: ModerationSettings,
  isKnownAuthor: boolean,
): ArrivalDecision {
  const fields = [
    comment.authorName,
    comment.authorEmail,
    comment.authorUrl ?? '',
    comment.text,
    comment.ipAddress ?? '',
    comment.userAgent ?? '',
  ];
  const wholeWords = settings.wordMatch === 'whole';
  const disallowed = findWord(settings.disallowedWords, fields, wholeWords);
  if (disallowed) return { status: 'spam', note: `contains the disallowed word “${disallowed}”` };
  const held = findWord(settings.moderationWords, fields, wholeWords);
  if (held) return { status: 'pending', note: `contains the moderation word “${held}”` };
  const links = comment.text.match(linkPattern)?.length ?? 0;
  if (links > settings.maxLinks)
    return { status: 'pending', note: `has ${links} links (more than ${settings.maxLinks})` };
  if (settings.mode === 'approve') return { status: 'approved', note: 'approved by the moderation mode' };
  if (settings.mode === 'known' && isKnownAuthor)
    return { status: 'approved', note: 'the author has an approved comment' };
  return { status: 'pending', note: 'held for moderation' };
}

/** When an open post's comments close by age; null if they do not (its switch is off, or no age is set). */
export function commentsCloseAt(
  post: { commentsOpen: boolean; publishedAt: Date },
  settings: ModerationSettings,
): Date | null {
  if (!post.commentsOpen || settings.closeAfterDays === 0) return null;
  return new Date(post.publishedAt.getTime() + settings.closeAfterDays * 24 * 3600 * 1000);
}

/** Whether a post takes comments now: open, and not older than the automatic closing age. */
export function commentsAreOpen(
  post: { commentsOpen: boolean; publishedAt: Date },
  settings: ModerationSettings,
  now: Date,
): boolean {
  if (!post.commentsOpen) return false;
  if (settings.closeAfterDays === 0) return true;
  return now.getTime() - post.publishedAt.getTime() <= settings.closeAfterDays * 24 * 3600 * 1000;
}
