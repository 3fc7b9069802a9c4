import type { Database } from '../db/database';
import { noPageChanges, type PublicPageChanges } from '../shared/page-changes';
import type { ModerationMode, ModerationSettings } from './moderation-settings';

export type ModerationSettingsRepository = ReturnType<typeof createModerationSettingsRepository>;

const settingsRowId = 1;

/**
 * The moderation rules in force: the saved row, or the environment's defaults until one is saved.
 * Read on every comment, so the current value is kept in memory, and read again when this
 * process saves them or another process writes to the database.
 */
export interface ModerationSettingsDeps {
  db: Database;
  defaults: ModerationSettings;
  pageChanges?: PublicPageChanges;
}

export function createModerationSettingsRepository({
  db,
  defaults,
  pageChanges = noPageChanges,
}: ModerationSettingsDeps) {
  let cached: ModerationSettings | null = null;

  return {
    async current(): Promise<ModerationSettings> {
      if (cached) return cached;
      const row = await db.moderationSettings.findUnique({ where: { id: settingsRowId } });
      cached = row
        ? {
            mode: row.mode as ModerationMode,
            maxLinks: row.maxLinks,
            moderationWords: row.moderationWords ? row.moderationWords.split('\n') : [],
            disallowedWords: row.disallowedWords ? row.disallowedWords.split('\n') : [],
            wordMatch: row.wordMatch === 'whole' ? 'whole' : 'substring',
            closeAfterDays: row.closeAfterDays,
            spamFilter: row.spamFilter,
            trashTeaches: row.trashTeaches === 'spam' ? 'spam' : 'nothing',
          }
        : defaults;
      return cached;
    },

    /** Forgets the kept rules (another process changed the database): the next read reads them again. */
    forgetKept(): void {
      cached = null;
    },

    async update(settings: ModerationSettings): Promise<ModerationSettings> {
      const row = {
        mode: settings.mode,
        maxLinks: settings.maxLinks,
        moderationWords: settings.moderationWords.join('\n'),
        disallowedWords: settings.disallowedWords.join('\n'),
        wordMatch: settings.wordMatch,
        closeAfterDays: settings.closeAfterDays,
        spamFilter: settings.spamFilter,
        trashTeaches: settings.trashTeaches,
      };
      await db.moderationSettings.upsert({
        where: { id: settingsRowId },
        create: { id: settingsRowId, ...row },
        update: row,
      });
      cached = { ...settings };
      // The automatic closing age changes whether every post shows its form.
      pageChanges.everythingChanged();
      return cached;
    },
  };
}
