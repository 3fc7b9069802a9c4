import { IANAZone } from 'luxon';
import { z } from 'zod';
import { parseOriginList } from '../embeds/page-address';
import { textField } from '../validation/text-field';

/** The blog's own settings: what its pages are called, whose name the author writes under, when. */
export interface BlogSettings {
  title: string;
  tagline: string;
  /** The name the author's posts and replies carry; empty: their user name. */
  displayName: string;
  /** An IANA time zone: dates on the pages, and the times the post editor reads. */
  timeZone: string;
  /** Top-level comments on a page under a post. */
  commentsPerPage: number;
  /** The sites (origins: `https://blog.example`) whose pages may embed comment threads. */
  embedOrigins: string[];
}

export const blogSettingsMessages = {
  titleRequired: 'Please give the blog a title.',
  timeZoneInvalid: 'Choose a time zone of the IANA database, such as Europe/Lisbon, America/New_York or UTC.',
  perPageInvalid: 'Comments per page must be a whole number from 1 to 1,000.',
  originsInvalid: (items: string[]) =>
    `Give each site as its origin, such as https://blog.example (no path): “${items[0]}” is not one${items.length > 1 ? `, nor ${items.length - 1 === 1 ? 'one other' : `${items.length - 1} others`}` : ''}.`,
  originsNotText: 'Give the sites as text, separated by commas (or, in the API, as a list of strings).',
} as const;

/** The sites allowed to embed threads: a comma-separated list (or a list), each an origin. */
export const embedOriginsField = z
  .preprocess(
    (value) => (Array.isArray(value) && value.every((item) => typeof item === 'string') ? value.join(',') : value),
    z.string({ error: blogSettingsMessages.originsNotText }).max(4000),
  )
  .transform((list, ctx) => {
    const { origins, invalid } = parseOriginList(list);
    if (invalid.length > 0) {
      ctx.addIssue({ code: 'custom', message: blogSettingsMessages.originsInvalid(invalid) });
      return z.NEVER;
    }
    return origins;
  });

/** The settings form (and its JSON twin): the same rules as the environment's variables. */
export const blogSettingsSchema = z.object({
  title: textField({ label: 'Title', maxBytes: 200, requiredMessage: blogSettingsMessages.titleRequired }),
  tagline: textField({ label: 'Tagline', maxBytes: 300 }),
  displayName: textField({ label: 'Your name', maxBytes: 100 }),
  timeZone: textField({ label: 'Time zone', maxBytes: 64 })
    .refine((zone) => IANAZone.isValidZone(zone), { message: blogSettingsMessages.timeZoneInvalid })
    // Saved by its standard name ("america/new_york" is America/New_York).
    .transform((zone) => new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone),
  commentsPerPage: z.preprocess(
    (value) => (typeof value === 'string' && /^\d{1,4}$/.test(value.trim()) ? Number(value) : value),
    z
      .number({ error: blogSettingsMessages.perPageInvalid })
      .int()
      .min(1)
      .max(1000, blogSettingsMessages.perPageInvalid),
  ),
  embedOrigins: embedOriginsField.default([]),
});

/** The settings the environment gives, until some are saved. */
export function blogDefaults(config: {
  SITE_TITLE: string;
  SITE_TAGLINE: string;
  DISPLAY_NAME?: string | undefined;
  TIME_ZONE: string;
  COMMENTS_PER_PAGE: number;
  EMBED_ORIGINS: string[];
}): BlogSettings {
  return {
    title: config.SITE_TITLE,
    tagline: config.SITE_TAGLINE,
    displayName: config.DISPLAY_NAME ?? '',
    timeZone: config.TIME_ZONE,
    commentsPerPage: config.COMMENTS_PER_PAGE,
    embedOrigins: config.EMBED_ORIGINS,
  };
}
