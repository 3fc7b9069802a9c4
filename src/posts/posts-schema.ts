import slugify from 'slugify';
import { z } from 'zod';
import { instantOfWallTime } from '../shared/site-time-zone';
import { checkboxField, textField, textMessages } from '../validation/text-field';
import { postMessages } from './posts-messages';
import { postKinds, postStatuses } from './post-status';

export const postLimits = { title: 300, slug: 100, body: 500_000, author: 245 } as const;
/** What a post's address may be: lower-case letters and digits in words joined by single hyphens. */
export const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A slug made from any text ("Ça va?" → "ca-va"); empty when nothing in it can be kept. */
export function slugFrom(text: string): string {
  return slugify(text, { lower: true, strict: true }).slice(0, postLimits.slug).replace(/-+$/, '');
}

const slugField = z
  .preprocess((value) => value ?? '', z.string({ error: textMessages.notText('Slug') }))
  .transform((value, ctx) => {
    const slug = value.trim().toLowerCase();
    if (slug !== '' && (!slugPattern.test(slug) || slug.length > postLimits.slug)) {
      ctx.addIssue({ code: 'custom', message: postMessages.slugInvalid });
      return z.NEVER;
    }
    return slug;
  });

const isoInstant = z.iso.datetime({ offset: true });

export const termLimits = { name: 100, perPost: 20 } as const;

/**
 * A post's categories or tags: a list of names, or (the editor's field) names separated by commas.
 * Each follows the one-line text rules; names that make the same address count once.
 */
function termsField(label: string) {
  const name = textField({ label, maxBytes: termLimits.name });
  return z
    .preprocess(
      (value) => (value === undefined || value === null ? [] : typeof value === 'string' ? value.split(',') : value),
      z.array(name, { error: postMessages.termsInvalid(label) }),
    )
    .transform((names, ctx) => {
      const bySlug = new Map<string, { name: string; slug: string }>();
      for (const termName of names) {
        const slug = slugFrom(termName);
        if (termName && slug && !bySlug.has(slug)) bySlug.set(slug, { name: termName, slug });
      }
      if (bySlug.size > termLimits.perPost) {
        ctx.addIssue({ code: 'custom', message: postMessages.tooManyTerms(label, termLimits.perPost) });
        return z.NEVER;
      }
      return [...bySlug.values()];
    });
}

/**
 * When to publish: the editor's `datetime-local` value, a wall time in the site's zone, or (the
 * API) an ISO time with its offset. Empty or absent: none chosen.
 */
function publishAtField(timeZone: () => string) {
  return z
    .preprocess((value) => value ?? '', z.string({ error: textMessages.notText('Date') }))
    .transform((value, ctx): Date | null => {
      const text = value.trim();
      if (text === '') return null;
      const instant = isoInstant.safeParse(text).success ? new Date(text) : instantOfWallTime(text, timeZone());
      if (!instant || Number.isNaN(instant.getTime())) {
        ctx.addIssue({ code: 'custom', message: postMessages.dateInvalid });
        return z.NEVER;
      }
      const year = instant.getUTCFullYear();
      if (year < 1970 || year > 9999) {
        ctx.addIssue({ code: 'custom', message: postMessages.dateOutOfRange });
        return z.NEVER;
      }
      return instant;
    });
}

/**
 * A post as the admin form and API submit it, wall times read in `timeZone`. An empty slug is made
 * from the title.
 */
export const postInputSchemaIn = (timeZone: () => string) =>
  z
    .object(
      {
        title: textField({ label: 'Title', maxBytes: postLimits.title, requiredMessage: postMessages.titleRequired }),
        slug: slugField,
        body: textField({
          label: 'Body',
          maxBytes: postLimits.body,
          requiredMessage: postMessages.bodyRequired,
          multiline: true,
        }),
        authorName: textField({ label: 'Author', maxBytes: postLimits.author }),
        commentsOpen: checkboxField('Comments open'),
        status: z.enum(postStatuses, { error: postMessages.statusInvalid }).optional(),
        kind: z.enum(postKinds, { error: postMessages.kindInvalid }).optional(),
        categories: termsField('Categories'),
        tags: termsField('Tags'),
        publishAt: publishAtField(timeZone),
      },
      {
        error:
          'The request body must be a JSON object with the fields title, slug, body, commentsOpen, status, publishAt, kind, categories and tags.',
      },
    )
    .transform((post, ctx) => {
      const slug = post.slug || slugFrom(post.title);
      if (!slug) {
        ctx.addIssue({ code: 'custom', path: ['slug'], message: postMessages.slugInvalid });
        return z.NEVER;
      }
      return { ...post, slug };
    });

export type PostInput = z.output<ReturnType<typeof postInputSchemaIn>>;
