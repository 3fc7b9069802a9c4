import { IANAZone } from 'luxon';
import { z } from 'zod';
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
}

export const blogSettingsMessages = {
  titleRequired: 'Please give the blog a title.',
  timeZoneInvalid: 'Choose a time zone of the IANA database, such as Europe/Lisbon, America/New_York or UTC.',
  perPageInvalid: 'Comments per page must be a whole number from 1 to 1,000.',
} as const;

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
});

/** The settings the environment gives, until some are saved. */
export function blogDefaults(config: {
  SITE_TITLE: string;
  SITE_TAGLINE: string;
  DISPLAY_NAME?: string | undefined;
  TIME_ZONE: string;
  COMMENTS_PER_PAGE: number;
}): BlogSettings {
  return {
    title: config.SITE_TITLE,
    tagline: config.SITE_TAGLINE,
    displayName: config.DISPLAY_NAME ?? '',
    timeZone: config.TIME_ZONE,
    commentsPerPage: config.COMMENTS_PER_PAGE,
  };
}
