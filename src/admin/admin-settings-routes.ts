import { Router, type RequestHandler, type Response } from 'express';
import { blogSettingsSchema, type BlogSettings } from '../blog-settings/blog-settings';
import type { BlogSettingsRepository } from '../blog-settings/blog-settings-repository';
import { validateBody, validBody } from '../http/validate';
import type { ModerationSettingsRepository } from '../moderation/moderation-settings-repository';
import { moderationSettingsSchema, type ModerationSettings } from '../moderation/moderation-settings';
import { adminFormBody, redirectWithFlash, showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { verifyAdminForm } from './admin-session';
import { defaultThresholds } from '../spam-filter/spam-evaluation';
import { minimumLessons, type SpamFilter } from '../spam-filter/spam-filter-service';

/** /admin/settings: the moderation rules; /admin/settings/site: the blog's own settings. */
export function createAdminSettingsRouter({
  settings,
  blogSettings,
  spamFilter,
}: {
  settings: ModerationSettingsRepository;
  blogSettings: BlogSettingsRepository;
  spamFilter: Pick<SpamFilter, 'state'>;
}): Router {
  const renderRules = async (res: Response, values: Record<string, string>, errors: Record<string, string> = {}) =>
    res.render('admin/settings', {
      title: 'Settings',
      values,
      errors,
      spamFilter: { ...(await spamFilter.state()), minimum: minimumLessons, thresholds: defaultThresholds },
    });

  const renderSite = (res: Response, values: Record<string, string>, errors: Record<string, string> = {}) =>
    res.render('admin/site-settings', { title: 'Site settings', values, errors });

  // GET /admin/settings/site — title, tagline, the author's name, time zone, comments per page
  const showSiteSettings: RequestHandler = async (_req, res) => {
    const current = await blogSettings.current();
    renderSite(res, {
      ...current,
      commentsPerPage: String(current.commentsPerPage),
      embedOrigins: current.embedOrigins.join(', '),
    });
  };

  // POST /admin/settings/site — save them (every page shows them from the next request)
  const saveSiteSettings: RequestHandler = async (req, res, next) => {
    await blogSettings.save(validBody<BlogSettings>(res));
    redirectWithFlash(req, res, next, '/admin/settings/site', adminMessages.settingsSaved);
  };

  // GET /admin/settings — the rules in force
  const showSettings: RequestHandler = async (_req, res) => {
    const current = await settings.current();
    await renderRules(res, {
      ...current,
      maxLinks: String(current.maxLinks),
      closeAfterDays: String(current.closeAfterDays),
      moderationWords: current.moderationWords.join('\n'),
      disallowedWords: current.disallowedWords.join('\n'),
      spamFilter: current.spamFilter ? 'on' : 'off',
    });
  };

  // POST /admin/settings — save them (they apply to the next comment)
  const saveSettings: RequestHandler = async (req, res, next) => {
    await settings.update(validBody<ModerationSettings>(res));
    redirectWithFlash(req, res, next, '/admin/settings', adminMessages.settingsSaved);
  };

  const router = Router();
  router.get('/settings/site', showSiteSettings);
  router.post(
    '/settings/site',
    adminFormBody,
    verifyAdminForm,
    validateBody(blogSettingsSchema, 'The settings could not be read.'),
    saveSiteSettings,
    showFormAgain((req, res, error) => renderSite(res, typedValues(req.body), error.fields)),
  );
  router.get('/settings', showSettings);
  router.post(
    '/settings',
    adminFormBody,
    verifyAdminForm,
    validateBody(moderationSettingsSchema, 'The settings could not be read.'),
    saveSettings,
    showFormAgain((req, res, error) => renderRules(res, typedValues(req.body), error.fields)),
  );
  return router;
}
