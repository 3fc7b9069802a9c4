import { z } from 'zod';
import { blockKinds } from '../moderation/sender-blocks';
import { commentStatuses } from '../shared/comment-status';
import { moderationModes, wordMatches } from '../moderation/moderation-settings';
import { moderatorMailChoices } from '../notifications/notification-settings';
import { deliveryStatuses } from '../notifications/outbox-repository';
import { trashLessons } from '../spam-filter/spam-filter-service';
import { embedKind, postKinds, postStatuses } from '../posts/post-status';

// What the JSON APIs answer, as zod schemas: the OpenAPI document is written from them, and a test
// holds every route's real answers to them. Objects are strict: a field the document does not name
// (an address that should not be there) fails the test.

const id = z.int().positive();
const time = z.iso.datetime();
const count = z.int().nonnegative();

export const errorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string().meta({ description: 'Stable, for programs: validation_failed, not_found, …' }),
    message: z.string().meta({ description: 'For people: what was wrong and what to do.' }),
    fields: z.record(z.string(), z.string()).meta({ description: 'Each refused field, by name, with why.' }),
  }),
});

export const publicComment = z.strictObject({
  id,
  parentId: id.nullable(),
  authorName: z.string(),
  authorUrl: z.string().nullable(),
  text: z.string(),
  html: z.string(),
  createdAt: time,
  byPostAuthor: z.boolean().meta({ description: 'Written by the post’s author (the “Author” badge).' }),
  repliesLocked: z.boolean().meta({ description: 'The moderator closed replies under it.' }),
  deleted: z.boolean().meta({ description: 'Deleted by its author, kept for its replies: no name or words.' }),
});

export const createdComment = publicComment.extend({
  status: z.enum(['approved', 'pending']).meta({ description: 'pending: awaiting moderation (also spam).' }),
});

export const moderatedComment = z.strictObject({
  id,
  post: z.strictObject({
    id,
    slug: z.string(),
    title: z.string(),
    embedUrl: z.string().nullable().meta({ description: 'An embedded thread’s page; null for a post.' }),
  }),
  parentId: id.nullable(),
  authorName: z.string(),
  authorEmail: z.string(),
  authorUrl: z.string().nullable(),
  text: z.string(),
  html: z.string(),
  status: z.enum(commentStatuses),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: time,
  byPostAuthor: z.boolean(),
  pinned: z.boolean(),
  repliesLocked: z.boolean(),
  deleted: z.boolean(),
  spamScore: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .meta({ description: 'The spam filter’s score when it arrived (0 legitimate … 1 spam); null: not scored.' }),
  spamReasons: z.array(z.strictObject({ token: z.string(), probability: z.number().min(0).max(1) })).meta({
    description: 'The tokens that weighed most in that score, strongest first, each with its spam probability.',
  }),
});

const term = z.strictObject({ name: z.string(), slug: z.string() });
const postFields = {
  id,
  slug: z.string(),
  title: z.string(),
  bodyHtml: z.string(),
  excerpt: z.string(),
  authorName: z.string(),
  commentsOpen: z.boolean(),
  kind: z.enum([...postKinds, embedKind]).meta({ description: 'embed: the comment thread of a page on another site.' }),
  embedUrl: z.string().nullable().meta({ description: 'An embedded thread’s page; null for a post or page.' }),
  status: z.enum(postStatuses),
};

export const postSummary = z.strictObject({ ...postFields, publishedAt: time, approvedCommentCount: count });

export const editablePost = z.strictObject({
  ...postFields,
  bodyMarkdown: z.string(),
  publishedAt: time.nullable().meta({ description: 'null while a draft has no date chosen.' }),
  categories: z.array(term),
  tags: z.array(term),
});

export const delivery = z.strictObject({
  id,
  channel: z.enum(['mail', 'webhook']),
  kind: z.string(),
  recipient: z.string(),
  subject: z.string().nullable(),
  commentId: id.nullable(),
  status: z.enum(deliveryStatuses),
  attempts: count,
  nextAttemptAt: time.nullable(),
  lastError: z.string().nullable(),
  sentAt: time.nullable(),
  createdAt: time,
});

const byStatus = z.strictObject({ approved: count, pending: count, spam: count, trash: count });
export const importReport = z.strictObject({
  format: z.enum(['wordpress', 'disqus', 'json']),
  version: z.string(),
  dryRun: z.boolean(),
  posts: z.strictObject({ created: count, alreadyImported: count }),
  terms: z.strictObject({ categories: count, tags: count }),
  comments: z.strictObject({ created: byStatus, alreadyImported: count }),
  skipped: z.record(z.string(), count),
  dropped: z.record(z.string(), count),
  reattachedReplies: count,
  spamFilterLearned: count.meta({
    description: 'Imported comments the spam filter learned from: approved as legitimate, spam as spam.',
  }),
  renamedSlugs: z.array(z.strictObject({ from: z.string(), to: z.string() })),
  orphans: z.array(z.string()),
  errors: z.array(z.string()),
});

export const media = z.strictObject({
  id,
  url: z.string(),
  name: z.string(),
  type: z.string(),
  size: count,
  width: count.nullable(),
  height: count.nullable(),
  markdown: z.string().meta({ description: 'The line to paste into a post.' }),
});

export const commenterExport = z.strictObject({
  email: z.string(),
  exportedAt: time,
  comments: z.array(
    z.strictObject({
      id,
      post: z.strictObject({ slug: z.string(), title: z.string() }),
      replyTo: id.nullable(),
      status: z.enum(commentStatuses),
      name: z.string(),
      email: z.string(),
      website: z.string().nullable(),
      text: z.string(),
      ipAddress: z.string().nullable(),
      userAgent: z.string().nullable(),
      wantsReplies: z.boolean(),
      createdAt: time,
      updatedAt: time,
      history: z.array(z.strictObject({ from: z.string(), to: z.string(), by: z.string(), at: time })),
    }),
  ),
  subscriptions: z.array(
    z.strictObject({
      post: z.strictObject({ slug: z.string(), title: z.string() }),
      confirmedAt: time.nullable(),
      createdAt: time,
    }),
  ),
  blocks: z
    .array(z.strictObject({ note: z.string().nullable(), createdAt: time }))
    .meta({ description: 'A block on the address (kept after an erasure).' }),
  mail: z.array(
    z.strictObject({
      kind: z.string(),
      subject: z.string().nullable(),
      status: z.string(),
      createdAt: time,
      sentAt: time.nullable(),
    }),
  ),
});

export const erasure = z.strictObject({
  anonymized: count,
  deleted: count,
  keptAsPlaceholders: count.meta({ description: 'Deleted comments kept as placeholders for their replies.' }),
  subscriptions: count,
});

export const block = z.strictObject({
  id,
  kind: z.enum(blockKinds),
  value: z.string(),
  note: z.string().nullable(),
  createdAt: time,
});

export const settings = z.strictObject({
  moderation: z.strictObject({
    mode: z.enum(moderationModes),
    maxLinks: count,
    moderationWords: z.array(z.string()),
    disallowedWords: z.array(z.string()),
    wordMatch: z.enum(wordMatches),
    closeAfterDays: count,
    spamFilter: z.boolean(),
    trashTeaches: z.enum(trashLessons),
  }),
  notifications: z.strictObject({
    moderatorMail: z.enum(moderatorMailChoices),
    webhookUrl: z.string().nullable(),
    webhookSecretSet: z.boolean(),
  }),
  site: z.strictObject({
    title: z.string(),
    tagline: z.string(),
    displayName: z.string(),
    timeZone: z.string(),
    commentsPerPage: z.int().positive(),
    embedOrigins: z.array(z.string()),
  }),
});
