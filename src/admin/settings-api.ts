import { z } from 'zod';
import { blogSettingsSchema, type BlogSettings } from '../blog-settings/blog-settings';
import type { BlogSettingsRepository } from '../blog-settings/blog-settings-repository';
import { ValidationError, type FieldErrors } from '../errors';
import { moderationModes, moderationSettingsSchema, wordMatches } from '../moderation/moderation-settings';
import { trashLessons } from '../spam-filter/spam-filter-service';
import type { ModerationSettingsRepository } from '../moderation/moderation-settings-repository';
import {
  moderatorMailChoices,
  notificationSettingsSchema,
  notificationsToSave,
} from '../notifications/notification-settings';
import type { NotificationSettingsRepository } from '../notifications/notification-settings-repository';
import { adminMessages } from './admin-messages';

const words = z.array(z.string().max(200)).max(5_000);

/**
 * PATCH /admin/api/settings: any of the three groups the admin area edits, each with any of its
 * fields; the rest stay. The types are checked here (400); each group, merged with what is saved,
 * then meets the same rules as its form (422).
 */
export const settingsPatchSchema = z.strictObject({
  moderation: z
    .strictObject({
      mode: z.enum(moderationModes),
      maxLinks: z.number().int(),
      moderationWords: words,
      disallowedWords: words,
      wordMatch: z.enum(wordMatches),
      closeAfterDays: z.number().int(),
      spamFilter: z.boolean(),
      trashTeaches: z.enum(trashLessons),
    })
    .partial()
    .optional(),
  notifications: z
    .strictObject({
      moderatorMail: z.enum(moderatorMailChoices),
      webhookUrl: z.string().nullable(),
      webhookSecret: z.string().nullable(),
    })
    .partial()
    .optional(),
  site: z
    .strictObject({
      title: z.string(),
      tagline: z.string(),
      displayName: z.string(),
      timeZone: z.string(),
      commentsPerPage: z.number().int(),
      embedOrigins: z.array(z.string()),
    })
    .partial()
    .optional(),
});
export type SettingsPatch = z.output<typeof settingsPatchSchema>;

/** The settings as the API answers them: the webhook's secret is never sent back, only whether one is set. */
export interface SettingsJson {
  moderation: {
    mode: string;
    maxLinks: number;
    moderationWords: string[];
    disallowedWords: string[];
    wordMatch: string;
    closeAfterDays: number;
    spamFilter: boolean;
    trashTeaches: string;
  };
  notifications: { moderatorMail: string; webhookUrl: string | null; webhookSecretSet: boolean };
  site: BlogSettings;
}

/** Names each failed field by its group ("moderation.maxLinks"). */
function fieldErrorsOf(group: string, error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) fields[`${group}.${String(issue.path[0] ?? '')}`] ??= issue.message;
  return fields;
}

/** The three settings groups read and changed together, for the admin API. */
export function createSettingsApi({
  settings,
  notificationSettings,
  blogSettings,
}: {
  settings: ModerationSettingsRepository;
  notificationSettings: NotificationSettingsRepository;
  blogSettings: BlogSettingsRepository;
}) {
  async function current(): Promise<SettingsJson> {
    const [moderation, notifications, site] = await Promise.all([
      settings.current(),
      notificationSettings.get(),
      blogSettings.current(),
    ]);
    return {
      moderation,
      notifications: {
        moderatorMail: notifications.moderatorMail,
        webhookUrl: notifications.webhookUrl,
        webhookSecretSet: notifications.webhookSecret !== null,
      },
      site,
    };
  }

  return {
    current,

    /** Checks every group given before saving any: a refused change saves nothing. */
    async change(patch: SettingsPatch): Promise<SettingsJson> {
      const [moderationNow, notificationsNow, siteNow] = await Promise.all([
        settings.current(),
        notificationSettings.get(),
        blogSettings.current(),
      ]);
      const errors: FieldErrors = {};
      const moderation = patch.moderation
        ? moderationSettingsSchema.safeParse({
            ...moderationNow,
            ...patch.moderation,
            moderationWords: (patch.moderation.moderationWords ?? moderationNow.moderationWords).join('\n'),
            disallowedWords: (patch.moderation.disallowedWords ?? moderationNow.disallowedWords).join('\n'),
          })
        : null;
      if (moderation && !moderation.success) Object.assign(errors, fieldErrorsOf('moderation', moderation.error));
      // The form's rule: an empty secret keeps the saved one.
      const notifications = patch.notifications
        ? notificationSettingsSchema.safeParse({
            moderatorMail: patch.notifications.moderatorMail ?? notificationsNow.moderatorMail,
            webhookUrl:
              (patch.notifications.webhookUrl !== undefined
                ? patch.notifications.webhookUrl
                : notificationsNow.webhookUrl) ?? '',
            webhookSecret: patch.notifications.webhookSecret ?? '',
          })
        : null;
      if (notifications && !notifications.success)
        Object.assign(errors, fieldErrorsOf('notifications', notifications.error));
      const notificationsToStore =
        notifications?.success === true ? notificationsToSave(notifications.data, notificationsNow) : null;
      if (notifications?.success && !notificationsToStore)
        errors['notifications.webhookSecret'] = adminMessages.webhookNeedsSecret;
      const site = patch.site ? blogSettingsSchema.safeParse({ ...siteNow, ...patch.site }) : null;
      if (site && !site.success) Object.assign(errors, fieldErrorsOf('site', site.error));
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);

      if (moderation?.success) await settings.update(moderation.data);
      if (notificationsToStore) await notificationSettings.save(notificationsToStore);
      if (site?.success) await blogSettings.save(site.data);
      return current();
    },
  };
}
