import type { Database } from '../db/database';
import { noPageChanges, type PublicPageChanges } from '../shared/page-changes';
import type { BlogSettings } from './blog-settings';

const settingsRowId = 1;

export type BlogSettingsRepository = ReturnType<typeof createBlogSettingsRepository>;

/**
 * The blog's settings in force: the saved row, or the environment's defaults until one is saved.
 * Every page shows them, so they are kept in memory (`known()` answers at once with the last
 * read, the defaults before any), and read again when this process saves them or another process
 * writes to the database.
 */
export function createBlogSettingsRepository({
  db,
  defaults,
  pageChanges = noPageChanges,
}: {
  db: Database;
  defaults: BlogSettings;
  pageChanges?: PublicPageChanges;
}) {
  let kept: BlogSettings | null = null;
  let lastRead: BlogSettings = defaults;

  return {
    async current(): Promise<BlogSettings> {
      if (kept) return kept;
      const row = await db.siteSettings.findUnique({ where: { id: settingsRowId } });
      kept = row
        ? {
            title: row.title,
            tagline: row.tagline,
            displayName: row.displayName,
            timeZone: row.timeZone,
            commentsPerPage: row.commentsPerPage,
            embedOrigins: row.embedOrigins.split(',').filter(Boolean),
          }
        : defaults;
      lastRead = kept;
      return kept;
    },

    /** The settings as last read (the defaults before the first read): for code that cannot wait. */
    known: (): BlogSettings => lastRead,

    /** Forgets the kept settings (another process changed the database): the next read reads them again. */
    forgetKept(): void {
      kept = null;
    },

    async save(settings: BlogSettings): Promise<BlogSettings> {
      const row = { ...settings, embedOrigins: settings.embedOrigins.join(',') };
      await db.siteSettings.upsert({
        where: { id: settingsRowId },
        create: { id: settingsRowId, ...row },
        update: row,
      });
      kept = settings;
      lastRead = settings;
      // The title, tagline, dates and pages of comments are on every page.
      pageChanges.everythingChanged();
      return settings;
    },
  };
}
