import type { Database } from '../db/database';
import type { ModeratorMailChoice, NotificationSettings } from './notification-settings';

export type NotificationSettingsRepository = ReturnType<typeof createNotificationSettingsRepository>;

/** The one NotificationSettings row; the defaults until a moderator saves. */
export function createNotificationSettingsRepository(db: Database, defaults: NotificationSettings) {
  return {
    async get(): Promise<NotificationSettings> {
      const row = await db.notificationSettings.findUnique({ where: { id: 1 } });
      if (!row) return defaults;
      return {
        moderatorMail: row.moderatorMail as ModeratorMailChoice,
        webhookUrl: row.webhookUrl,
        webhookSecret: row.webhookSecret,
      };
    },

    async save(settings: NotificationSettings): Promise<void> {
      await db.notificationSettings.upsert({ where: { id: 1 }, create: { id: 1, ...settings }, update: settings });
    },
  };
}
