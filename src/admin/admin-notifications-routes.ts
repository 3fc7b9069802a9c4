import { Router, type RequestHandler } from 'express';
import { validateBody, validBody } from '../http/validate';
import { describeMailSetup, type MailSetup } from '../notifications/mail-setup';
import type { NotificationSettingsRepository } from '../notifications/notification-settings-repository';
import {
  notificationSettingsSchema,
  notificationsToSave,
  type NotificationSettings,
} from '../notifications/notification-settings';
import { ValidationError } from '../errors';
import type { NotificationsService } from '../notifications/notifications-service';
import { deliveryStatuses } from '../notifications/outbox-repository';
import { adminFormBody, numericId, redirectWithFlash, showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { deliveryListQuerySchema } from './admin-schemas';
import { verifyAdminForm } from './admin-session';

export interface AdminNotificationsDeps {
  notifications: NotificationsService;
  notificationSettings: NotificationSettingsRepository;
  mail: MailSetup;
}

/** The notification settings as the form shows them: empty fields for what is not set. */
function notificationFormValues(settings: NotificationSettings): Record<string, string> {
  return {
    moderatorMail: settings.moderatorMail,
    webhookUrl: settings.webhookUrl ?? '',
    // Never sent back to the browser: an empty field keeps it.
    webhookSecret: '',
  };
}

/** /admin/notifications: the outbox's deliveries, and sending a failed one again; the notification settings' form. */
export function createAdminNotificationsRouter({
  notifications,
  notificationSettings,
  mail,
}: AdminNotificationsDeps): Router {
  // GET /admin/notifications?status=&page=
  const list: RequestHandler = async (req, res) => {
    const query = deliveryListQuerySchema.parse(req.query);
    res.render('admin/notifications', {
      title: 'Notifications',
      query,
      result: await notifications.listDeliveries(query.status, query.page),
      statuses: deliveryStatuses,
      mailSetup: describeMailSetup(mail),
    });
  };

  // POST /admin/notifications/:id/send-again
  const sendAgain: RequestHandler<{ id: string }> = async (req, res, next) => {
    await notifications.sendAgain(numericId(req));
    redirectWithFlash(req, res, next, '/admin/notifications', adminMessages.deliveryQueuedAgain);
  };

  // GET /admin/settings/notifications — who hears of what
  const showSettings: RequestHandler = async (_req, res) => {
    const current = await notificationSettings.get();
    res.render('admin/notification-settings', {
      title: 'Notification settings',
      hasSecret: current.webhookSecret !== null,
      values: notificationFormValues(current),
      errors: {},
      mailSetup: describeMailSetup(mail),
    });
  };

  // Whether a secret is saved, for the form should it come back with an error.
  const loadSecretState: RequestHandler = async (_req, res, next) => {
    res.locals.hasWebhookSecret = (await notificationSettings.get()).webhookSecret !== null;
    next();
  };

  // POST /admin/settings/notifications
  const saveSettings: RequestHandler = async (req, res, next) => {
    const toSave = notificationsToSave(validBody<NotificationSettings>(res), await notificationSettings.get());
    if (!toSave)
      throw new ValidationError({ webhookSecret: adminMessages.webhookNeedsSecret }, adminMessages.webhookNeedsSecret);
    await notificationSettings.save(toSave);
    redirectWithFlash(req, res, next, '/admin/settings/notifications', adminMessages.settingsSaved);
  };

  const router = Router();
  router.get('/notifications', list);
  router.post('/notifications/:id/send-again', adminFormBody, verifyAdminForm, sendAgain);
  router.get('/settings/notifications', showSettings);
  router.post(
    '/settings/notifications',
    adminFormBody,
    verifyAdminForm,
    loadSecretState,
    validateBody(notificationSettingsSchema, 'The notification settings could not be read.'),
    saveSettings,
    showFormAgain((req, res, error) =>
      res.render('admin/notification-settings', {
        title: 'Notification settings',
        hasSecret: res.locals.hasWebhookSecret === true,
        values: typedValues(req.body),
        errors: error.fields,
        mailSetup: describeMailSetup(mail),
      }),
    ),
  );
  return router;
}
