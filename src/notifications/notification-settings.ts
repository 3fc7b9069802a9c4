import { z } from 'zod';

/** When the moderators hear of a comment: one mail per held comment, per new comment, or an hourly digest. */
export const moderatorMailChoices = ['held', 'every', 'digest'] as const;
export type ModeratorMailChoice = (typeof moderatorMailChoices)[number];

/** Who hears of what (stored in the database, edited in /admin/settings). */
export interface NotificationSettings {
  moderatorMail: ModeratorMailChoice;
  webhookUrl: string | null;
  webhookSecret: string | null;
}

const optionalText = (max: number, tooLong: string) =>
  z
    .string({ error: 'must be text' })
    .trim()
    .max(max, tooLong)
    .default('')
    .transform((value) => value || null);

/**
 * The settings form's fields. An empty webhook address turns webhooks off; an empty secret keeps
 * the one saved (the form never shows it), and a new address needs one (notificationsToSave).
 */
export const notificationSettingsSchema = z.object({
  moderatorMail: z.enum(moderatorMailChoices, { error: 'Choose when moderators get mail.' }),
  webhookUrl: optionalText(2000, 'The webhook address is too long (at most 2,000 characters).')
    .refine(
      (value) => value === null || (URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
      'The webhook address must start with http:// or https://.',
    )
    .refine(
      (value) => value === null || !URL.canParse(value) || (!new URL(value).username && !new URL(value).password),
      'The webhook address must not hold a user name or password: the signature proves the calls are ours.',
    ),
  webhookSecret: optionalText(200, 'The webhook secret is too long (at most 200 characters).').refine(
    (value) => value === null || value.length >= 16,
    'The webhook secret must be at least 16 characters.',
  ),
});

/** The settings to save from the form's, given those in force; null when a webhook would have no secret. */
export function notificationsToSave(
  typed: NotificationSettings,
  current: NotificationSettings,
): NotificationSettings | null {
  if (typed.webhookUrl === null) return { ...typed, webhookSecret: null };
  const webhookSecret = typed.webhookSecret ?? current.webhookSecret;
  return webhookSecret ? { ...typed, webhookSecret } : null;
}

/** The settings in force until a moderator saves some: the environment's. */
export function notificationDefaults(config: { WEBHOOK_URL?: string; WEBHOOK_SECRET?: string }): NotificationSettings {
  return {
    moderatorMail: 'held',
    webhookUrl: config.WEBHOOK_URL ?? null,
    webhookSecret: config.WEBHOOK_SECRET ?? null,
  };
}
