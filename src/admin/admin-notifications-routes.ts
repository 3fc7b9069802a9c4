import { Router, type RequestHandler } from 'express';
import { validateBody, validBody } from '../http/validate';
import { describeMailSetup, type MailSetup } from '../notifications/mail-setup';
import type { NotificationSettingsRepository } from '../notifications/notification-settings-repository';
import { notificationSettingsSchema, type NotificationSettings } from '../notifications/notification-settings';
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
    webhookSecret: settings.webhookSecret ?? '',
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
    res.render('admin/notification-settings', {
      title: 'Notification settings',
      values: notificationFormValues(await notificationSettings.get()),
      errors: {},
      mailSetup: describeMailSetup(mail),
    });
  };

  // POST /admin/settings/notifications
  const saveSettings: RequestHandler = async (req, res, next) => {
    await notificationSettings.save(validBody<NotificationSettings>(res));
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
    validateBody(notificationSettingsSchema, 'The notification settings could not be read.'),
    saveSettings,
    showFormAgain((req, res, error) =>
      res.render('admin/notification-settings', {
        title: 'Notification settings',
        values: typedValues(req.body),
        errors: error.fields,
        mailSetup: describeMailSetup(mail),
      }),
    ),
  );
  return router;
}
