import type { ModeratedComment } from '../moderation/moderation-repository';
import { mailActions, mailLinkLifetimeMs, type MailAction, type MailLinks } from './mail-links';
import { renderMailHtml } from './mail-views';

export interface MailDraft {
  subject: string;
  text: string;
  html: string;
}

const actionLabels: Record<MailAction, string> = { approve: 'Approve', spam: 'Mark as spam', trash: 'Trash' };

/** The actions a mail offers for a comment of this status: never the one it is already in. */
function actionsFor(status: ModeratedComment['status']): MailAction[] {
  return mailActions.filter((action) => !(action === 'approve' && status === 'approved') && action !== status);
}

/** The links a mail offers for one comment; they share an id, so using one uses up all of them. */
function actionLinks(
  comment: ModeratedComment,
  { publicUrl, links, now }: { publicUrl: string; links: MailLinks; now: Date },
) {
  const mailId = links.newMailId();
  const expiresAt = new Date(now.getTime() + mailLinkLifetimeMs);
  return actionsFor(comment.status).map((action) => ({
    label: actionLabels[action],
    url: `${publicUrl}/moderate/${links.token({ commentId: comment.id, action, expiresAt, mailId, mailedStatus: comment.status })}`,
  }));
}

const postUrlOf = (publicUrl: string, comment: ModeratedComment) =>
  comment.post.embedUrl ?? `${publicUrl}/posts/${encodeURIComponent(comment.post.slug)}`;

/** A comment's text quoted for a plain-text mail, line by line (Unicode's line separators are lines too). */
export function quoted(text: string): string[] {
  return text.split(/\n|\u2028|\u2029/).map((line) => `> ${line}`);
}

const statusLabels = { pending: 'awaiting moderation', approved: 'published', spam: 'spam', trash: 'trashed' };

/** The first few hundred characters of a comment, on one line, for a list. */
function excerptOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/**
 * The hourly digest: every comment that arrived in the window (`more` past the ones listed),
 * each with its author, email, post, status, why it was held, and for a held one its action links.
 */
export function digestMail(
  entries: { comment: ModeratedComment; note: string | null }[],
  more: number,
  { siteTitle, publicUrl, links, now }: { siteTitle: string; publicUrl: string; links: MailLinks; now: Date },
): MailDraft {
  const total = entries.length + more;
  const held = entries.filter((entry) => entry.comment.status === 'pending').length;
  const subject = `[${siteTitle}] ${total === 1 ? '1 new comment' : `${total} new comments`}${held ? ` (${held} awaiting moderation)` : ''}`;
  const intro = `${total === 1 ? 'One comment' : `${total} comments`} arrived in the last hour${held ? `; ${held} ${held === 1 ? 'waits' : 'wait'} for your approval` : ''}.`;
  const queueUrl = `${publicUrl}/admin/comments?status=pending`;
  const listed = entries.map(({ comment, note }) => ({
    comment,
    note: comment.status === 'pending' ? note : null,
    statusLabel: statusLabels[comment.status],
    excerpt: excerptOf(comment.text),
    postUrl: postUrlOf(publicUrl, comment),
    actions: comment.status === 'pending' ? actionLinks(comment, { publicUrl, links, now }) : [],
  }));
  const text = [
    intro,
    ...listed.flatMap((entry) => [
      '',
      `${entry.comment.authorName} <${entry.comment.authorEmail}> on "${entry.comment.post.title}" (${entry.postUrl})`,
      `Status: ${entry.statusLabel}${entry.note ? `. Why held: ${entry.note}` : ''}`,
      `> ${entry.excerpt}`,
      ...entry.actions.map((action) => `${action.label}: ${action.url}`),
    ]),
    ...(more ? ['', `… and ${more} more.`] : []),
    '',
    `Moderation queue: ${queueUrl}`,
    '',
  ].join('\n');
  const html = renderMailHtml('digest', { subject, intro, entries: listed, more, queueUrl });
  return { subject, text, html };
}

/**
 * The mail telling the moderators of a comment: its post, author, email, website, IP address,
 * text, why it was held, and links to approve, mark as spam or trash it (signed, one use, a week).
 */
export function moderatorMail(
  comment: ModeratedComment,
  {
    note,
    siteTitle,
    publicUrl,
    links,
    now,
  }: {
    note: string | null;
    siteTitle: string;
    publicUrl: string;
    links: MailLinks;
    now: Date;
  },
): MailDraft {
  const held = comment.status === 'pending';
  const subject = `[${siteTitle}] ${held ? 'Please moderate' : 'New comment'}: "${comment.post.title}"`;
  const intro = held
    ? `A new comment on "${comment.post.title}" is waiting for your approval.`
    : `A new comment on "${comment.post.title}" (${comment.status === 'approved' ? 'published' : `marked ${comment.status}`}).`;
  const actions = actionLinks(comment, { publicUrl, links, now });
  const postUrl = postUrlOf(publicUrl, comment);
  const queueUrl = `${publicUrl}/admin/comments?status=pending`;
  const text = [
    intro,
    '',
    `Post: ${comment.post.title}`,
    `      ${postUrl}`,
    `Author: ${comment.authorName}`,
    `Email: ${comment.authorEmail}`,
    `Website: ${comment.authorUrl ?? '—'}`,
    `IP address: ${comment.ipAddress ?? 'unknown'}`,
    ...(note ? [`Why held: ${note}`] : []),
    '',
    ...quoted(comment.text),
    '',
    ...actions.map((action) => `${action.label}: ${action.url}`),
    ...(actions.length
      ? ['(Each link opens a page with a button; it works once, for seven days, without signing in.)', '']
      : []),
    `Moderation queue: ${queueUrl}`,
    '',
  ].join('\n');
  const html = renderMailHtml('moderator', { subject, intro, comment, note, actions, postUrl, queueUrl });
  return { subject, text, html };
}
