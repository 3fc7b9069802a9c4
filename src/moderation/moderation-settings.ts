import { z } from 'zod';
import { trashLessons, type TrashTeaches } from '../spam-filter/spam-filter-service';
import { textMessages } from '../validation/text-field';

/** How new comments are treated: held for a moderator, approved for known authors, or approved. */
export const moderationModes = ['hold', 'known', 'approve'] as const;
export type ModerationMode = (typeof moderationModes)[number];
export const wordMatches = ['substring', 'whole'] as const;

/** The moderation rules in force (stored in the database, edited in /admin/settings). */
export interface ModerationSettings {
  mode: ModerationMode;
  maxLinks: number;
  /** Lower-case, trimmed, one entry per word or phrase. */
  moderationWords: string[];
  disallowedWords: string[];
  wordMatch: (typeof wordMatches)[number];
  closeAfterDays: number;
  /** The spam filter scores arriving comments (and, once trained, acts on its score). */
  spamFilter: boolean;
  /** What moving a comment to the trash teaches the spam filter. */
  trashTeaches: TrashTeaches;
}

const wordList = (label: string) =>
  z
    .string({ error: `${label} must be text, one word or phrase per line.` })
    .max(20_000, `${label} is too long (at most 20,000 characters).`)
    .default('')
    .transform((text) => [
      ...new Set(
        text
          .split(/\r?\n/)
          .map((line) => line.normalize('NFC').trim().toLowerCase())
          .filter(Boolean),
      ),
    ]);

// A number from a form field (text) or JSON; anything not a whole number is a rule breach (422).
const wholeNumber = (label: string, max: number) =>
  z.union([z.string(), z.number()], { error: textMessages.notText(label) }).transform((value, ctx) => {
    const text = String(value).trim();
    const problem = !/^-?\d{1,15}$/.test(text)
      ? `${label} must be a whole number.`
      : Number(text) < 0
        ? `${label} cannot be negative.`
        : Number(text) > max
          ? `${label} must be at most ${max.toLocaleString('en-US')}.`
          : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return Number(text);
  });

/** The settings form and the API take the same fields; word lists arrive as text, one per line. */
export const moderationSettingsSchema = z.object({
  mode: z.enum(moderationModes, { error: 'Choose one of the moderation modes.' }),
  maxLinks: wholeNumber('The number of links', 1000),
  moderationWords: wordList('Moderation words'),
  disallowedWords: wordList('Disallowed words'),
  wordMatch: z.enum(wordMatches, { error: 'Choose how words are matched.' }),
  closeAfterDays: wholeNumber('The number of days', 100_000),
  // The form's radio buttons send "on" or "off"; the API, true or false. Required: a form without
  // them (an old page) must not switch the filter back on.
  spamFilter: z.unknown().transform((value, ctx) => {
    if (value === true || value === 'on') return true;
    if (value === false || value === 'off') return false;
    ctx.addIssue({ code: 'custom', message: 'Choose whether the spam filter is on.' });
    return z.NEVER;
  }),
  trashTeaches: z.enum(trashLessons, { error: 'Choose what the trash teaches the spam filter.' }),
});

/** The rules in force until a moderator saves some: the environment's defaults, no word lists. */
export function moderationDefaults(config: {
  MODERATION_MODE: ModerationMode;
  MODERATION_MAX_LINKS: number;
  CLOSE_COMMENTS_AFTER_DAYS: number;
}): ModerationSettings {
  return {
    mode: config.MODERATION_MODE,
    maxLinks: config.MODERATION_MAX_LINKS,
    moderationWords: [],
    disallowedWords: [],
    wordMatch: 'substring',
    closeAfterDays: config.CLOSE_COMMENTS_AFTER_DAYS,
    spamFilter: true,
    trashTeaches: 'nothing',
  };
}
