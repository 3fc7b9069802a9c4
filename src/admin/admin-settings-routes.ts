import { Router, type RequestHandler } from 'express';
import { validateBody, validBody } from '../http/validate';
import type { ModerationSettingsRepository } from '../moderation/moderation-settings-repository';
import { moderationSettingsSchema, type ModerationSettings } from '../moderation/moderation-settings';
import { adminFormBody, redirectWithFlash, showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { verifyAdminForm } from './admin-session';

/** /admin/settings: the moderation rules. */
export function createAdminSettingsRouter({ settings }: { settings: ModerationSettingsRepository }): Router {
  // GET /admin/settings — the rules in force
  const showSettings: RequestHandler = async (_req, res) => {
    const current = await settings.current();
    res.render('admin/settings', {
      title: 'Settings',
      values: {
        ...current,
        maxLinks: String(current.maxLinks),
        closeAfterDays: String(current.closeAfterDays),
        moderationWords: current.moderationWords.join('\n'),
        disallowedWords: current.disallowedWords.join('\n'),
      },
      errors: {},
    });
  };

  // POST /admin/settings — save them (they apply to the next comment)
  const saveSettings: RequestHandler = async (req, res, next) => {
    await settings.update(validBody<ModerationSettings>(res));
    redirectWithFlash(req, res, next, '/admin/settings', adminMessages.settingsSaved);
  };

  const router = Router();
  router.get('/settings', showSettings);
  router.post(
    '/settings',
    adminFormBody,
    verifyAdminForm,
    validateBody(moderationSettingsSchema, 'The settings could not be read.'),
    saveSettings,
    showFormAgain((req, res, error) =>
      res.render('admin/settings', { title: 'Settings', values: typedValues(req.body), errors: error.fields }),
    ),
  );
  return router;
}
