import { maxRowId } from '../shared/row-id';
import { deliveryStatuses } from '../notifications/outbox-repository';
import { z } from 'zod';
import { commentStatuses } from '../shared/comment-status';
import { commentEditSchema } from '../comments/comments-schema';
import { BadRequestError, ValidationError } from '../errors';
import { importFormats, type ImportFormat } from '../imports/import-runner';
import { moderationActions } from '../moderation/moderation-service';
import { erasureModes } from '../privacy/commenter-data-service';
import { textField, textMessages } from '../validation/text-field';
import { adminMessages } from './admin-messages';

/** The sign-in form. The password is compared as typed (no trimming or normalising). */
export const signInSchema = z.object({
  username: textField({ label: 'User name', maxBytes: 200, requiredMessage: adminMessages.signInRequired }),
  password: z
    .preprocess((value) => value ?? '', z.string({ error: textMessages.notText('Password') }))
    .refine((value) => value.length > 0, adminMessages.signInRequired)
    .refine((value) => value.length <= 1024, 'That password is too long.'),
});
export type SignIn = z.output<typeof signInSchema>;

const positiveId = z.coerce.number().int().positive().max(maxRowId);

/** The longest search: a sentence pasted from a comment (LIKE's cost grows with it). */
export const maxSearchLength = 200;

/**
 * The comment list's filters. An unreadable status, post or page falls back to "no filter"; an
 * unreadable search does not (it would list every comment as if found): see commentListQueryOf.
 */
export const commentListQuerySchema = z.object({
  status: z.enum(commentStatuses).optional().catch(undefined),
  post: positiveId.optional().catch(undefined),
  q: z
    .string({ error: adminMessages.searchOnce })
    .trim()
    .max(maxSearchLength, adminMessages.searchTooLong(maxSearchLength))
    .optional(),
  page: positiveId.max(100_000).default(1).catch(1),
});
export type CommentListQuery = z.output<typeof commentListQuerySchema>;

/** The list's filters, or a 400 naming what is wrong with the search. */
export function commentListQueryOf(query: unknown): CommentListQuery {
  const parsed = commentListQuerySchema.safeParse(query);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? adminMessages.searchOnce;
  throw new BadRequestError(message, { q: message }, 'invalid_search');
}

const idList = z.preprocess(
  (value): unknown[] => (value === undefined ? [] : Array.isArray(value) ? (value as unknown[]) : [value]),
  z.array(positiveId).max(500, 'At most 500 comments at once.'),
);

/**
 * The moderation form: one button per row (`single=approve:12`) or the bulk action on the ticked
 * boxes (`bulk_action=spam&ids=3&ids=4`), then back to `return`, the page the moderator was on.
 */
export const moderationFormSchema = z
  .object({
    single: z
      .string()
      .regex(new RegExp(`^(${moderationActions.join('|')}):\\d{1,15}$`))
      .optional()
      .catch(undefined),
    bulk_action: z.enum(moderationActions).optional().catch(undefined),
    ids: idList,
    return: z.string().optional(),
  })
  .transform(({ single, bulk_action, ids, return: returnTo }) => {
    const [action, id] = single
      ? (single.split(':') as [(typeof moderationActions)[number], string])
      : [bulk_action, undefined];
    return { action, ids: id ? [Number(id)] : ids, returnTo };
  });

/** PATCH /admin/api/comments/:id — a new status and/or edited fields, under the public form's rules; pin, lock. */
export const commentPatchSchema = commentEditSchema.partial().extend({
  status: z.enum(commentStatuses, { error: `status must be one of: ${commentStatuses.join(', ')}.` }).optional(),
  pinned: z.boolean({ error: 'pinned must be true or false.' }).optional(),
  repliesLocked: z.boolean({ error: 'repliesLocked must be true or false.' }).optional(),
});

/** A commenter, by the address they wrote under (any case; imported comments may hold any text). */
export const commenterEmailSchema = z.object({
  email: z
    .string({ error: adminMessages.commenterEmailRequired })
    .trim()
    .min(1, adminMessages.commenterEmailRequired)
    .max(254, adminMessages.commenterEmailTooLong),
});

/** A query string read with `schema`; a missing or broken field is a 422 naming it. */
export function parsedQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) fields[String(issue.path[0] ?? 'query')] ??= issue.message;
  throw new ValidationError(fields, Object.values(fields)[0]);
}

/** POST /admin/api/commenters/erase and the admin area's erase form. */
export const erasureSchema = commenterEmailSchema.extend({
  mode: z.enum(erasureModes, { error: adminMessages.erasureModeRequired }),
});

/** POST /admin/api/comments/bulk */
export const bulkStatusSchema = z.object({
  ids: z
    .array(positiveId, { error: 'ids must be a list of comment ids.' })
    .min(1, adminMessages.noneSelected)
    .max(500, 'At most 500 comments at once.'),
  status: z.enum(commentStatuses, { error: `status must be one of: ${commentStatuses.join(', ')}.` }),
});

/** Only pages of the admin area are places to return to after an action. */
export function safeAdminReturn(target: string | undefined, fallback = '/admin/comments'): string {
  return target && /^\/admin(\/[\w/-]*)?(\?[^#\s]*)?$/.test(target) ? target : fallback;
}

const importFormSchema = z.object({
  format: z.enum(importFormats, { error: adminMessages.unknownFormat }),
  dryRun: z.preprocess((value) => value === 'yes' || value === 'true' || value === '1', z.boolean()),
});

/** The format and dry-run choice of an import upload (admin page and API), or a ValidationError naming the field. */
export function importRequestOf(
  fields: unknown,
  file: Express.Multer.File | undefined,
): { format: ImportFormat; dryRun: boolean; file: string; fileName: string } {
  const parsed = importFormSchema.safeParse(fields ?? {});
  const errors: Record<string, string> = {};
  if (!parsed.success) errors.format = adminMessages.unknownFormat;
  if (!file) errors.file = adminMessages.noFile;
  if (!parsed.success || !file) throw new ValidationError(errors);
  return { ...parsed.data, file: file.path, fileName: file.originalname };
}

/** GET /admin/notifications and /admin/api/notifications: a status filter and a page; anything else is ignored. */
export const deliveryListQuerySchema = z.object({
  status: z.enum(deliveryStatuses).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
