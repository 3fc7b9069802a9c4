import { createAdminNotificationsRouter } from './admin-notifications-routes';
import type { MailSetup } from '../notifications/mail-setup';
import type { NotificationSettingsRepository } from '../notifications/notification-settings-repository';
import type { NotificationsService } from '../notifications/notifications-service';
import { Router, type RequestHandler } from 'express';
import type { Database } from '../db/database';
import type { Imports } from '../imports/import-runner';
import type { Clock } from '../shared/clock';
import type { ModerationService } from '../moderation/moderation-service';
import type { ModerationSettingsRepository } from '../moderation/moderation-settings-repository';
import type { PostsService } from '../posts/posts-service';
import type { ArticlePage } from '../site/article-page';
import type { AdminAuth } from './admin-auth';
import { createAdminCommentsRouter } from './admin-comments-routes';
import { createAdminImportRouter } from './admin-import-routes';
import { adminPageLocals, requireModerator } from './admin-http';
import { createAdminPostsRouter } from './admin-posts-routes';
import { createAdminMediaRouter } from './admin-media-routes';
import type { MediaService } from '../media/media-service';
import type { BlogSettingsRepository } from '../blog-settings/blog-settings-repository';
import { createAdminSession } from './admin-session';
import { createAdminSettingsRouter } from './admin-settings-routes';
import { createSignInRouter } from './sign-in-routes';
import type { EmbedsService } from '../embeds/embeds-service';
import { createAdminEmbedsRouter } from './admin-embeds-routes';
import { createAdminPrivacyRouter } from './admin-privacy-routes';
import type { CommenterDataService } from '../privacy/commenter-data-service';
import type { SenderBlocks } from '../moderation/sender-blocks';
import type { SpamFilter } from '../spam-filter/spam-filter-service';

export interface AdminRouterDeps {
  embeds: EmbedsService;
  db: Database;
  clock: Clock;
  /** Imports, each run in a child process of its own. */
  imports: Imports;
  auth: AdminAuth;
  sessionSecret: string;
  idleMinutes: number;
  signInLimiters: RequestHandler[];
  moderation: ModerationService;
  posts: PostsService;
  settings: ModerationSettingsRepository;
  notifications: NotificationsService;
  notificationSettings: NotificationSettingsRepository;
  mail: MailSetup;
  articlePage: ArticlePage;
  /** The site's time zone (TIME_ZONE): the post editor's dates are read and shown in it. */
  timeZone: () => string;
  /** DISPLAY_NAME: the name the author's replies carry. */
  displayName: () => string | null;
  media: MediaService;
  blogSettings: BlogSettingsRepository;
  commenterData: CommenterDataService;
  senderBlocks: SenderBlocks;
  spamFilter: SpamFilter;
}

/**
 * The admin area under /admin: closed (503) until a moderator account is configured; then
 * sign-in, and every other page behind a session.
 */
export function createAdminRouter(deps: AdminRouterDeps): Router {
  const router = Router();
  router.use(deps.auth.requireSignInConfigured);
  router.use(
    createAdminSession({ db: deps.db, clock: deps.clock, secret: deps.sessionSecret, idleMinutes: deps.idleMinutes }),
  );
  router.use((_req, res, next) => {
    // Admin pages show emails and IPs: never cached anywhere, never indexed.
    res.set({ 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex, nofollow' });
    next();
  });
  router.use(createSignInRouter({ auth: deps.auth, signInLimiters: deps.signInLimiters }));
  router.use(requireModerator, adminPageLocals);
  router.use(
    createAdminCommentsRouter({ moderation: deps.moderation, posts: deps.posts, displayName: deps.displayName }),
  );
  router.use(createAdminPostsRouter(deps));
  router.use(createAdminEmbedsRouter(deps));
  router.use(createAdminMediaRouter(deps));
  router.use(
    createAdminSettingsRouter({
      settings: deps.settings,
      blogSettings: deps.blogSettings,
      spamFilter: deps.spamFilter,
    }),
  );
  router.use(createAdminPrivacyRouter(deps));
  router.use(createAdminNotificationsRouter(deps));
  router.use(createAdminImportRouter({ imports: deps.imports }));
  return router;
}
