import { isRowId } from '../shared/row-id';
import { z } from 'zod';
import { byteLength, checkboxField, textField, textMessages } from '../validation/text-field';
import { commentMessages as messages } from './comments-messages';

// The "Leave a Reply" submission, form and JSON alike. Field names are WordPress's, so existing
// theme forms and tools fit. Limits are WordPress's column sizes and, like WordPress, count UTF-8
// bytes (not characters): "é" is 2 bytes, most emoji 4. Server-owned fields (status, IP, dates)
// are not part of this schema, so nothing a client sends can set them.

export const commentLimits = { comment: 65_525, author: 245, email: 100, url: 200 } as const;

// Built once: a zod schema is an object graph, too costly to build again for every comment.
const emailAddress = z.email();

const emailField = textField({ label: 'Email', maxBytes: commentLimits.email, requiredMessage: messages.emailRequired })
  // The length limit above runs first, so the address pattern only ever sees short input.
  .refine((value) => value === '' || byteLength(value) > commentLimits.email || emailAddress.safeParse(value).success, {
    message: messages.emailInvalid,
  })
  .transform((value) => value.toLowerCase());

const websiteField = textField({ label: 'Website', maxBytes: commentLimits.url }).transform((value, ctx) => {
  if (value === '') return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`;
  const url = URL.canParse(withScheme) ? new URL(withScheme) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname.includes('.')) {
    ctx.addIssue({ code: 'custom', message: messages.urlInvalid });
    return z.NEVER;
  }
  if (url.username || url.password) {
    // "name@example.org" typed without a scheme is an email address in the wrong field.
    const looksLikeEmail = withScheme !== value && emailAddress.safeParse(value).success;
    ctx.addIssue({ code: 'custom', message: looksLikeEmail ? messages.urlIsEmail : messages.urlHasCredentials });
    return z.NEVER;
  }
  if (byteLength(url.href) > commentLimits.url) {
    ctx.addIssue({ code: 'custom', message: textMessages.tooLong('Website', byteLength(url.href), commentLimits.url) });
    return z.NEVER;
  }
  return url.href;
});

// WordPress sends comment_parent=0 for a top-level comment.
const parentField = z
  .preprocess(
    (value) => (value === undefined || value === null || value === '' ? 0 : value),
    z.union([z.string(), z.number()], {
      error: textMessages.notText('The reply target'),
    }),
  )
  .transform((value, ctx) => {
    const id = typeof value === 'number' ? value : /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (id !== 0 && !isRowId(id)) {
      ctx.addIssue({ code: 'custom', message: messages.parentInvalid });
      return z.NEVER;
    }
    return id === 0 ? null : id;
  });

// The page of comments the form was on (a reply's thread is there); anything else is no page.
const pageField = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : ''),
  z.string().transform((value) => (/^\d{1,6}$/.test(value) && Number(value) > 0 ? Number(value) : null)),
);

/** The post author's reply (admin area and API): only its text; the rest is theirs already. */
export const authorReplySchema = z.object(
  {
    comment: textField({
      label: 'Reply',
      maxBytes: commentLimits.comment,
      requiredMessage: messages.commentRequired,
      multiline: true,
    }),
  },
  { error: 'The request body must be a JSON object with the field comment.' },
);

export const commentSubmissionSchema = z.object(
  {
    comment: textField({
      label: 'Comment',
      maxBytes: commentLimits.comment,
      requiredMessage: messages.commentRequired,
      multiline: true,
    }),
    author: textField({ label: 'Name', maxBytes: commentLimits.author, requiredMessage: messages.authorRequired }),
    email: emailField,
    url: websiteField,
    comment_parent: parentField,
    cpage: pageField,
    // WordPress's checkbox value is "yes"; JSON clients may send true.
    'wp-comment-cookies-consent': checkboxField('The save-my-details box'),
    // "Notify me of follow-up comments by email." (Jetpack's name for it).
    subscribe_comments: checkboxField('The notify-me box'),
  },
  { error: messages.notAnObject },
);

/** The rules of the fields that need more than a length: imports apply them too. */
export const commentFieldRules = { email: emailField, url: websiteField } as const;

/** A submission that passed every rule, normalised. */
export type CommentSubmission = z.output<typeof commentSubmissionSchema>;

/** What the commenter typed, kept as strings so an invalid form can be shown again exactly. */
export interface CommentFormValues {
  comment: string;
  author: string;
  email: string;
  url: string;
  parentId: string;
  saveDetails: boolean;
  subscribe: boolean;
}

/** The typed values of a raw request body; fields that were not text come back empty. */
export function formValuesOf(body: unknown): CommentFormValues {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const text = (key: string): string =>
    typeof raw[key] === 'string' ? raw[key] : typeof raw[key] === 'number' ? String(raw[key]) : '';
  const consent = raw['wp-comment-cookies-consent'];
  const subscribe = raw.subscribe_comments;
  return {
    comment: text('comment'),
    author: text('author'),
    email: text('email'),
    url: text('url'),
    parentId: text('comment_parent'),
    saveDetails: consent === true || consent === 'yes' || consent === 'on',
    subscribe: subscribe === true || subscribe === 'yes' || subscribe === 'on' || subscribe === '1',
  };
}

/** The fields a moderator may edit, under the same rules as a submission. */
export const commentEditSchema = commentSubmissionSchema.pick({ comment: true, author: true, email: true, url: true });
export type CommentEdit = z.output<typeof commentEditSchema>;

/** What a commenter may change of their own comment: the text, under the same rules. */
export const ownEditSchema = commentSubmissionSchema.pick({ comment: true });

// The form's bot traps: a field people never see (hidden off-screen, aria-hidden, not tabbable,
// no autofill) and the signed time the form was served.
export const honeypotField = 'reply_note';
export const formStampField = 'form_ts';

/** The bot-trap fields of a raw form body: any value at all in the honeypot counts as filled. */
export function formSignalsOf(body: unknown): { honeypotFilled: boolean; stamp: string | undefined } {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const honeypot = raw[honeypotField];
  const stamp = raw[formStampField];
  return {
    honeypotFilled: honeypot !== undefined && !(typeof honeypot === 'string' && honeypot.trim() === ''),
    stamp: typeof stamp === 'string' ? stamp : undefined,
  };
}
