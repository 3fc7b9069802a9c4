import { z } from 'zod';
import { commentMessages as messages } from './comments-messages';

// The "Leave a Reply" submission, form and JSON alike. Field names are WordPress's, so existing
// theme forms and tools fit. Limits are WordPress's column sizes and, like WordPress, count UTF-8
// bytes (not characters): "é" is 2 bytes, most emoji 4. Server-owned fields (status, IP, dates)
// are not part of this schema, so nothing a client sends can set them.

export const commentLimits = { comment: 65_525, author: 245, email: 100, url: 200 } as const;

// C0 and C1 control characters and DEL. Comments keep newline and tab; one-line fields keep neither.
const controlCharacters = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const lineBreaksAndTabs = /[\t\n]/g;

/** NFC, CRLF → LF, control characters removed, trimmed. */
function normalise(value: string, multiline: boolean): string {
  const text = value.normalize('NFC').replace(/\r\n?/g, '\n').replace(controlCharacters, '');
  return (multiline ? text : text.replace(lineBreaksAndTabs, ' ')).trim();
}

const byteLength = (value: string): number => Buffer.byteLength(value, 'utf8');

interface TextRule {
  label: string;
  maxBytes: number;
  requiredMessage?: string;
  multiline?: boolean;
}

/**
 * A text field: anything but a string (a list from `a=1&a=2`, an object from JSON) is a type error,
 * which the validator answers with 400; a missing field counts as empty.
 */
function textField({ label, maxBytes, requiredMessage, multiline = false }: TextRule) {
  return z
    .preprocess((value) => value ?? '', z.string({ error: messages.notText(label) }))
    .superRefine((value, ctx) => {
      if (!value.isWellFormed()) ctx.addIssue({ code: 'custom', message: messages.invalidCharacters(label), abort: true });
    })
    .transform((value) => normalise(value, multiline))
    .superRefine((value, ctx) => {
      if (requiredMessage && value === '') ctx.addIssue({ code: 'custom', message: requiredMessage });
      const bytes = byteLength(value);
      if (bytes > maxBytes) ctx.addIssue({ code: 'custom', message: messages.tooLong(label, bytes, maxBytes) });
    });
}

const emailField = textField({ label: 'Email', maxBytes: commentLimits.email, requiredMessage: messages.emailRequired })
  // The length limit above runs first, so the address pattern only ever sees short input.
  .refine((value) => value === '' || byteLength(value) > commentLimits.email || z.email().safeParse(value).success, {
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
    ctx.addIssue({ code: 'custom', message: messages.urlHasCredentials });
    return z.NEVER;
  }
  if (byteLength(url.href) > commentLimits.url) {
    ctx.addIssue({ code: 'custom', message: messages.tooLong('Website', byteLength(url.href), commentLimits.url) });
    return z.NEVER;
  }
  return url.href;
});

// WordPress sends comment_parent=0 for a top-level comment.
const parentField = z
  .preprocess((value) => (value === undefined || value === null || value === '' ? 0 : value), z.union([z.string(), z.number()], {
    error: messages.notText('The reply target'),
  }))
  .transform((value, ctx) => {
    const id = typeof value === 'number' ? value : /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isSafeInteger(id) || id < 0) {
      ctx.addIssue({ code: 'custom', message: messages.parentInvalid });
      return z.NEVER;
    }
    return id === 0 ? null : id;
  });

// The checkbox sends "yes" when ticked (WordPress's value); JSON clients may send true.
const consentField = z
  .preprocess((value) => value ?? false, z.union([z.string(), z.boolean()], { error: messages.notText('The save-my-details box') }))
  .transform((value) => value === true || value === 'yes' || value === 'on' || value === '1');

export const commentSubmissionSchema = z.object(
  {
    comment: textField({ label: 'Comment', maxBytes: commentLimits.comment, requiredMessage: messages.commentRequired, multiline: true }),
    author: textField({ label: 'Name', maxBytes: commentLimits.author, requiredMessage: messages.authorRequired }),
    email: emailField,
    url: websiteField,
    comment_parent: parentField,
    'wp-comment-cookies-consent': consentField,
  },
  { error: messages.notAnObject },
);

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
}

/** The typed values of a raw request body; fields that were not text come back empty. */
export function formValuesOf(body: unknown): CommentFormValues {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const text = (key: string): string => (typeof raw[key] === 'string' ? (raw[key] as string) : typeof raw[key] === 'number' ? String(raw[key]) : '');
  const consent = raw['wp-comment-cookies-consent'];
  return {
    comment: text('comment'),
    author: text('author'),
    email: text('email'),
    url: text('url'),
    parentId: text('comment_parent'),
    saveDetails: consent === true || consent === 'yes' || consent === 'on',
  };
}
