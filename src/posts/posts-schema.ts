import slugify from 'slugify';
import { z } from 'zod';
import { checkboxField, textField, textMessages } from '../validation/text-field';
import { postMessages } from './posts-messages';

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

/** A post as the admin form and API submit it. An empty slug is made from the title. */
export const postInputSchema = z
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
    },
    { error: 'The request body must be a JSON object with the fields title, slug, body and commentsOpen.' },
  )
  .transform((post, ctx) => {
    const slug = post.slug || slugFrom(post.title);
    if (!slug) {
      ctx.addIssue({ code: 'custom', path: ['slug'], message: postMessages.slugInvalid });
      return z.NEVER;
    }
    return { ...post, slug };
  });

export type PostInput = z.output<typeof postInputSchema>;
