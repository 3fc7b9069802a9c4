import type { ModeratedComment } from '../moderation/moderation-repository';
import { quoted, type MailDraft } from './moderator-mail';
import { renderMailHtml } from './mail-views';

/** A mail ready to send, with its extra headers. */
export type WrittenMail = MailDraft & { headers: Record<string, string> };

export interface SubscriberLinks {
  confirmUrl(subscriptionId: number): string;
  unsubscribeUrl(subscriptionId: number): string;
  manageUrl(emailKey: string): string;
}

/** The double opt-in mail: nothing else goes to the address for the post until its link is followed. */
export function confirmationMail(
  post: { slug: string; title: string },
  subscriptionId: number,
  { siteTitle, publicUrl, links }: { siteTitle: string; publicUrl: string; links: SubscriberLinks },
): MailDraft {
  const subject = `[${siteTitle}] Confirm: mail me new comments on "${post.title}"`;
  const postUrl = `${publicUrl}/posts/${encodeURIComponent(post.slug)}`;
  const confirmUrl = links.confirmUrl(subscriptionId);
  const text = [
    `Someone, we hope you, asked ${siteTitle} to send this address a mail whenever a new comment appears on "${post.title}" (${postUrl}).`,
    '',
    `Confirm that you want these mails: ${confirmUrl}`,
    '(The link opens a page with a button; it works for seven days.)',
    '',
    'If it was not you, ignore this mail: nothing more will be sent.',
    '',
  ].join('\n');
  const html = renderMailHtml('confirm-subscription', {
    subject,
    siteTitle,
    postUrl,
    postTitle: post.title,
    confirmUrl,
  });
  return { subject, text, html };
}

/**
 * A new comment, to a confirmed subscriber of its post: its author's name (never an address), its
 * text and a link to it, and ways out: a visible unsubscribe link, the page of all of the
 * address's subscriptions, and RFC 8058's one-click unsubscribe headers.
 */
export function replyMail(
  comment: ModeratedComment,
  subscriber: { id: number; emailKey: string },
  { siteTitle, publicUrl, links }: { siteTitle: string; publicUrl: string; links: SubscriberLinks },
): WrittenMail {
  const subject = `[${siteTitle}] New comment on "${comment.post.title}"`;
  // An embedded page's comment is read and answered on that page (embed.js opens it there).
  const { embedUrl } = comment.post;
  const postUrl = embedUrl ?? `${publicUrl}/posts/${encodeURIComponent(comment.post.slug)}`;
  const commentUrl = embedUrl ? `${embedUrl}#comment-${comment.id}` : `${postUrl}/comments/${comment.id}`;
  const unsubscribeUrl = links.unsubscribeUrl(subscriber.id);
  const manageUrl = links.manageUrl(subscriber.emailKey);
  const text = [
    `${comment.authorName} commented on "${comment.post.title}":`,
    '',
    ...quoted(comment.text),
    '',
    `Read it on the page, and reply: ${commentUrl}`,
    '',
    '-- ',
    'You get this because you asked to hear of new comments on this post.',
    `Unsubscribe: ${unsubscribeUrl}`,
    `All your subscriptions: ${manageUrl}`,
    '',
  ].join('\n');
  const html = renderMailHtml('reply', {
    subject,
    authorName: comment.authorName,
    postTitle: comment.post.title,
    postUrl,
    textHtml: comment.textHtml,
    commentUrl,
    unsubscribeUrl,
    manageUrl,
  });
  return {
    subject,
    text,
    html,
    headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
