import { hkdfSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import cookieParser from 'cookie-parser';
import express from 'express';
import type { Logger } from 'pino';
import { createAdminApiRouter } from './admin/admin-api-routes';
import { createAdminAuth } from './admin/admin-auth';
import { adminMessages } from './admin/admin-messages';
import { hasSignedInBefore, wrongPassword } from './admin/admin-session';
import { createPasswordCheckLine } from './admin/password-checks';
import { createAdminRouter } from './admin/admin-routes';
import { createModerationRepository } from './moderation/moderation-repository';
import { createModerationService } from './moderation/moderation-service';
import { createSpamFilter } from './spam-filter/spam-filter-service';
import { createSpamModelRepository } from './spam-filter/spam-model-repository';
import { createCommenterCookies } from './site/commenter-cookies';
import { createCommentsRepository } from './comments/comments-repository';
import { createCommentsRouter } from './site/comments-routes';
import { createMailLinksRouter } from './site/mail-links-routes';
import { createSubscriptionsRouter } from './site/subscriptions-routes';
import { createPrivacyRouter } from './site/privacy-routes';
import { createApiDocsRouter } from './api-docs/api-docs-routes';
import { createCommentsService } from './comments/comments-service';
import { createFormTimestamps } from './comments/form-timestamp';
import { createOwnCommentsService } from './comments/own-comments-service';
import { commentMessages } from './comments/comments-messages';
import type { Config } from './config';
import type { Database } from './db/database';
import { createErrorHandler, notFoundHandler } from './http/error-handler';
import { createHealthRepository } from './health/health-repository';
import { createHealthRouter } from './health/health-routes';
import { createAccessLog } from './http/access-log';
import { createRateLimiter } from './http/rate-limiters';
import { createRateLimitCounters } from './rate-limits/rate-limit-counters';
import { sharedRateLimitStore } from './rate-limits/shared-rate-limit-store';
import { embedHeadersNow, securityHeaders } from './http/security-headers';
import { answerKeptPagesFirst, headersSetBy, servePageFromCache } from './http/cached-page-fast-path';
import { createExternalChangeCheck } from './http/external-change-check';
import { createPageCache, type PageCache } from './http/page-cache';
import type { ExternalWrites } from './db/external-writes';
import { createImports } from './imports/import-runner';
import { exclusiveWorkOn } from './db/exclusive-work';
import type { Clock } from './shared/clock';
import { waitText } from './shared/wait-text';
import { noPageChanges, type PublicPageChanges } from './shared/page-changes';
import { createStaticAssets } from './http/static-assets';
import { useEtaViews } from './http/views';
import { projectRoot } from './paths';
import { moderationDefaults } from './moderation/moderation-settings';
import { createModerationSettingsRepository } from './moderation/moderation-settings-repository';
import { createArticlePage, embedSurface } from './site/article-page';
import { createEmbedRouter } from './site/embed-routes';
import { createEmbedsRepository } from './embeds/embeds-repository';
import { createEmbedsService } from './embeds/embeds-service';
import { createPostsRepository } from './posts/posts-repository';
import { createPagesRouter, redirectOldAddresses } from './site/pages-routes';
import { createFeedsRouter } from './site/feeds-routes';
import { createFeedsRepository } from './feeds/feeds-repository';
import { createFeedsService } from './feeds/feeds-service';
import { createMediaRepository } from './media/media-repository';
import { createMediaService } from './media/media-service';
import { createMediaRouter } from './site/media-routes';
import { createPostsService } from './posts/posts-service';
import { createDateFormats, type DateFormats } from './http/date-format';
import { blogDefaults } from './blog-settings/blog-settings';
import { createBlogSettingsRepository } from './blog-settings/blog-settings-repository';
import { createScheduledPublishing, type ScheduledPublishing } from './posts/scheduled-publishing';
import { createDeliverySender, type DeliverySender } from './notifications/delivery-sender';
import { createMailLinks } from './notifications/mail-links';
import { createSignedTokens } from './notifications/signed-tokens';
import { createSubscriptionsRepository } from './notifications/subscriptions-repository';
import { createSubscriptionsService } from './notifications/subscriptions-service';
import { mailSetupOf } from './notifications/mail-setup';
import { notificationDefaults } from './notifications/notification-settings';
import { createNotificationSettingsRepository } from './notifications/notification-settings-repository';
import { createNotificationsService } from './notifications/notifications-service';
import { createOutboxRepository } from './notifications/outbox-repository';
import { createUsedMailLinksRepository } from './notifications/used-mail-links-repository';
import { createSenderBlocks } from './moderation/sender-blocks';
import { createCommenterDataRepository } from './privacy/commenter-data-repository';
import { createCommenterDataService } from './privacy/commenter-data-service';
import { createErasureRequests } from './privacy/erasure-requests';
import { createAddressRetention, type AddressRetention } from './privacy/address-retention';

export interface AppDeps {
  config: Config;
  db: Database;
  /** Whether another process has written to the database since the last look (openDatabase gives it). */
  externalWrites: ExternalWrites;
  logger: Logger;
  /** Where every part of the app reads the time. */
  clock: Clock;
  /** Signs the commenter cookies; at least 32 characters. */
  cookieSecret: string;
  /** Signs moderator session cookies; at least 32 characters. */
  sessionSecret: string;
}

/**
 * The app as Node's request listener: a look for other processes' writes when one is due, kept
 * pages answered before Express sets anything up, then Express. `pageCache` is there for tests.
 */
export type MarginaliaApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  pageCache: PageCache | null;
  /** Sends the outbox's mail and webhooks: the server starts it; tests run it when they choose. */
  notifier: DeliverySender;
  /** Publishes scheduled posts when their time comes: the server starts it; tests too, or run it. */
  publisher: ScheduledPublishing;
  /** Removes IP addresses and user agents past IP_RETENTION_DAYS: the server runs it daily; tests, when they choose. */
  addressRetention: AddressRetention;
};

// Date formats by time zone: made once for each zone a blog is set to.
const dateFormatsByZone = new Map<string, DateFormats>();
function dateFormatsIn(zone: string): DateFormats {
  let formats = dateFormatsByZone.get(zone);
  if (!formats) dateFormatsByZone.set(zone, (formats = createDateFormats(zone)));
  return formats;
}

/** Repositories, services and limiters: one fresh set per app, so tests never share state. */
function createServices({
  config,
  db,
  clock,
  cookieSecret,
  externalWrites,
  logger,
}: Pick<AppDeps, 'config' | 'db' | 'clock' | 'cookieSecret' | 'externalWrites' | 'logger'>) {
  const pageCache = config.PAGE_CACHE === 'on' ? createPageCache(config.PAGE_CACHE_MAX_MB * 1024 * 1024, clock) : null;
  // Every change drops this process's kept pages, and is announced to the others (PostgreSQL),
  // whose kept pages it may also touch, whether or not this one keeps pages.
  const kept = pageCache ?? noPageChanges;
  // What is kept in memory about pinned comments goes with any change to a post's page.
  // So is what is kept of embedded pages' threads (a post deleted may be one).
  let forgetPins = (): void => undefined;
  let forgetThreads = (): void => undefined;
  const pageChanges: PublicPageChanges = {
    postChanged(slug) {
      kept.postChanged(slug);
      forgetPins();
      forgetThreads();
      externalWrites.announceChange();
    },
    everythingChanged() {
      kept.everythingChanged();
      forgetPins();
      forgetThreads();
      externalWrites.announceChange();
    },
  };
  // On PostgreSQL any number of processes serve the blog: each limit is counted in the database,
  // once for all of them. On SQLite, one process counts in its own memory.
  const counters = config.database.engine === 'postgres' ? createRateLimitCounters(db, clock) : null;
  const storeFor = (name: string, windowSeconds: number) =>
    counters ? { store: sharedRateLimitStore(counters, name, windowSeconds * 1000) } : {};
  // The blog's own settings (title, tagline, the author's name, time zone, comments per page):
  // saved in the admin area, the environment's until then.
  const blogSettings = createBlogSettingsRepository({ db, defaults: blogDefaults(config), pageChanges });
  const posts = createPostsService({
    repo: createPostsRepository(db),
    clock,
    pageChanges,
    timeZone: () => blogSettings.known().timeZone,
  });
  const settings = createModerationSettingsRepository({ db, defaults: moderationDefaults(config), pageChanges });
  const commentsRepo = createCommentsRepository(db);
  const senderBlocks = createSenderBlocks(db);
  const spamFilter = createSpamFilter({
    repo: createSpamModelRepository(db),
    settings: () => settings.current(),
    onError: (error) => logger.error({ err: error }, 'The spam filter could not read or prune its model'),
  });
  const comments = createCommentsService({
    spamFilter,
    blocks: senderBlocks,
    storesAddresses: config.IP_RETENTION_DAYS > 0,
    repo: commentsRepo,
    posts,
    settings,
    formTimestamps: createFormTimestamps(cookieSecret),
    pageChanges,
    clock,
    limits: {
      floodSeconds: config.COMMENT_FLOOD_SECONDS,
      minFormSeconds: config.COMMENT_MIN_SECONDS,
      formMaxAgeHours: config.COMMENT_FORM_MAX_AGE_HOURS,
      get perPage() {
        return blogSettings.known().commentsPerPage;
      },
      maxThreadDepth: config.COMMENT_THREAD_DEPTH,
    },
  });
  forgetPins = () => comments.forgetPins();
  const embeds = createEmbedsService({
    repo: createEmbedsRepository(db),
    clock,
    allowedOrigins: () => blogSettings.known().embedOrigins,
    authorName: () => blogSettings.known().displayName || config.ADMIN_USER || 'The author',
    // Announced to the other processes too, whose kept posts and pages it also touches.
    changed: () => {
      pageChanges.everythingChanged();
      posts.forgetKept();
    },
  });
  forgetThreads = () => embeds.forgetKept();
  const ownComments = createOwnCommentsService({
    repo: commentsRepo,
    posts,
    settings,
    pageChanges,
    clock,
    editWindowMinutes: config.COMMENT_EDIT_WINDOW_MINUTES,
    spamFilter,
  });
  const commenterCookies = createCommenterCookies(cookieSecret);
  const embedCookies = createCommenterCookies(cookieSecret, { partitioned: true });
  const moderation = createModerationService({
    repo: createModerationRepository(db),
    clock,
    pageChanges,
    spamFilter,
  });
  const mail = mailSetupOf(config);
  const outbox = createOutboxRepository(db);
  const notificationSettings = createNotificationSettingsRepository(db, notificationDefaults(config));
  // The links' key is the commenter cookies' key (already this blog's own), derived for this use.
  const mailLinkSecret = Buffer.from(hkdfSync('sha256', cookieSecret, '', 'marginalia mail links', 32)).toString('hex');
  const signedTokens = createSignedTokens(mailLinkSecret);
  const subscriptionsRepo = createSubscriptionsRepository(db);
  const subscriptions = createSubscriptionsService({
    repo: subscriptionsRepo,
    tokens: signedTokens,
    publicUrl: config.PUBLIC_URL ?? null,
    clock,
  });
  const commenterDataRepo = createCommenterDataRepository(db);
  const commenterData = createCommenterDataService({
    repo: commenterDataRepo,
    clock,
    pageChanges,
    ipRetentionDays: config.IP_RETENTION_DAYS,
    spamFilter,
  });
  const notifications = createNotificationsService({
    outbox,
    settings: notificationSettings,
    usedMailLinks: createUsedMailLinksRepository(db),
    moderation,
    mailLinks: createMailLinks(signedTokens),
    subscriptions,
    subscriptionsRepo,
    mail,
    publicUrl: config.PUBLIC_URL ?? null,
    siteTitle: config.SITE_TITLE,
    clock,
    logger,
  });
  const erasureRequests = createErasureRequests({
    repo: commenterDataRepo,
    commenterData,
    tokens: signedTokens,
    clock,
    mail: mail.ready ? { publicUrl: mail.ready.publicUrl, siteTitle: () => blogSettings.known().title } : null,
  });
  return {
    pageCache,
    senderBlocks,
    spamFilter,
    commenterData,
    erasureRequests,
    addressRetention: createAddressRetention({ commenterData, logger }),
    blogSettings,
    posts,
    settings,
    comments,
    ownComments,
    commenterCookies,
    articlePage: createArticlePage({ posts, comments, ownComments, commenterCookies, pageCache }),
    embedCookies,
    embedArticlePage: createArticlePage({
      posts,
      comments,
      ownComments,
      commenterCookies: embedCookies,
      pageCache,
      surface: embedSurface,
    }),
    embeds,
    publisher: createScheduledPublishing({ posts, logger }),
    feeds: createFeedsService({ repo: createFeedsRepository(db), posts }),
    media: createMediaService({ repo: createMediaRepository(db), maxBytes: config.MEDIA_MAX_MB * 1024 * 1024 }),
    moderation,
    mail,
    outbox,
    notificationSettings,
    notifications,
    subscriptions,
    notifier: createDeliverySender({
      outbox,
      settings: notificationSettings,
      writeReplyMail: (delivery) => notifications.writeReplyMail(delivery),
      queueNew: async () => {
        await erasureRequests.sendPending();
        await notifications.expandEvents();
        await notifications.queueDigestIfDue();
        await notifications.pruneIfDue();
      },
      mail,
      siteId: mailLinkSecret,
      clock,
      logger,
    }),
    imports: createImports({ database: config.database, pageChanges, exclusiveWork: exclusiveWorkOn(config.database) }),
    auth: createAdminAuth({
      user: config.ADMIN_USER,
      passwordHash: config.ADMIN_PASSWORD_HASH,
      apiToken: config.ADMIN_API_TOKEN,
      passwordChecks: createPasswordCheckLine(),
    }),
    // Failed sign-ins are limited per address, and for the whole site on top (many addresses).
    // Only a password checked and found wrong (401) counts, so refusals that cost nothing (a bad
    // form token, a full line) cannot use up the budget; a browser that has signed in before is
    // outside the site-wide one, so a flood of wrong guesses cannot lock the moderator out.
    signInLimiters: [
      createRateLimiter({
        limit: config.LOGIN_RATE_LIMIT,
        windowSeconds: config.LOGIN_RATE_WINDOW_SECONDS,
        message: adminMessages.tooManySignIns,
        skipSuccessfulRequests: true,
        counts: wrongPassword,
        ...storeFor('sign-in', config.LOGIN_RATE_WINDOW_SECONDS),
      }),
      createRateLimiter({
        limit: config.LOGIN_SITE_RATE_LIMIT,
        windowSeconds: config.LOGIN_RATE_WINDOW_SECONDS,
        message: adminMessages.tooManySignInsOnSite,
        skipSuccessfulRequests: true,
        counts: wrongPassword,
        exempt: hasSignedInBefore,
        wholeSite: true,
        ...storeFor('sign-in-site', config.LOGIN_RATE_WINDOW_SECONDS),
      }),
    ],
    // The commenter's own erasure form: a few tries an hour per client, counted apart from comments.
    erasureLimiter: createRateLimiter({
      limit: 10,
      windowSeconds: 3600,
      message: (retryAfterSeconds) =>
        `Too many requests from your network. Please try again in ${waitText(retryAfterSeconds)}.`,
      ...storeFor('erasure-requests', 3600),
    }),
    submissionLimiter: createRateLimiter({
      limit: config.COMMENT_RATE_LIMIT,
      windowSeconds: config.COMMENT_RATE_WINDOW_SECONDS,
      message: commentMessages.tooFast,
      ...storeFor('comments', config.COMMENT_RATE_WINDOW_SECONDS),
    }),
  };
}

/** The composition root: wires configuration, clock, database and feature routers into one request listener. */
export function createApp({
  config,
  db,
  externalWrites,
  logger,
  clock,
  cookieSecret,
  sessionSecret,
}: AppDeps): MarginaliaApp {
  const app = express();
  app.disable('x-powered-by');
  // Only shared pages carry validators (set with the page cache); personal ones must not be revalidated.
  app.set('etag', false);
  app.set('trust proxy', config.TRUST_PROXY);
  useEtaViews(app, { cache: config.NODE_ENV !== 'development' });
  const assets = createStaticAssets(path.join(projectRoot, 'public'));
  Object.assign(app.locals, {
    site: { title: config.SITE_TITLE, tagline: config.SITE_TAGLINE },
    // Canonical and Open Graph addresses are absolute with it, site-relative without.
    publicUrl: config.PUBLIC_URL ?? '',
    ...dateFormatsIn(config.TIME_ZONE),
    asset: assets.url,
    // The "Notify me of follow-up comments" box is offered only when mail can be sent.
    offersReplyMail: mailSetupOf(config).ready !== null,
  });

  const s = createServices({ config, db, clock, cookieSecret, externalWrites, logger });
  const headers = securityHeaders();
  app.use(createAccessLog(logger));
  app.use(headers);
  // Every page shows the blog's title, and its dates in its time zone: as saved now.
  app.use(async (_req, res, next) => {
    const current = await s.blogSettings.current();
    res.locals.site = { title: current.title, tagline: current.tagline };
    Object.assign(res.locals, dateFormatsIn(current.timeZone));
    next();
  });
  // embed.js is loaded by other sites' pages: helmet's same-origin resource policy would refuse it.
  app.use('/assets', (req, res, next) => {
    if (req.path.startsWith('/embed.')) res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    next();
  });
  app.use('/assets', ...assets.handlers);
  app.get('/favicon.ico', assets.file('favicon.ico'));
  app.use(createHealthRouter({ health: createHealthRepository(db), logger }));
  app.use(cookieParser(cookieSecret));
  app.use(createPagesRouter({ posts: s.posts, articlePage: s.articlePage, pageCache: s.pageCache }));
  app.use(
    createFeedsRouter({
      feeds: s.feeds,
      pageCache: s.pageCache,
      clock,
      site: () => s.blogSettings.known(),
      publicUrl: config.PUBLIC_URL ?? null,
    }),
  );
  app.use(createMediaRouter(s));
  app.use(createApiDocsRouter());
  app.use(createCommentsRouter(s));
  app.use(createEmbedRouter({ ...s, assetUrl: assets.url }));
  app.use(createMailLinksRouter(s));
  app.use(createSubscriptionsRouter(s));
  app.use(createPrivacyRouter(s));
  app.use(
    '/admin/api',
    createAdminApiRouter({
      ...s,
      clock,
      timeZone: () => s.blogSettings.known().timeZone,
      displayName: () => s.blogSettings.known().displayName || config.ADMIN_USER || 'The author',
    }),
  );
  app.use(
    '/admin',
    createAdminRouter({
      ...s,
      db,
      clock,
      sessionSecret,
      idleMinutes: config.ADMIN_SESSION_IDLE_MINUTES,
      timeZone: () => s.blogSettings.known().timeZone,
      displayName: () => s.blogSettings.known().displayName || null,
    }),
  );
  app.use(notFoundHandler);
  app.use(redirectOldAddresses(s));
  app.use(createErrorHandler(logger));

  const keptPages = s.pageCache
    ? servePageFromCache({
        pageCache: s.pageCache,
        securityHeaders: headersSetBy(headers),
        embedSecurityHeaders: embedHeadersNow(headersSetBy(headers), () => s.embeds.allowedOrigins()),
        issueFormStamp: () => s.comments.issueSharedFormStamp(),
        logger,
      })
    : null;
  const answer = answerKeptPagesFirst(keptPages, (req, res) => void app(req, res));
  const externalChanges = createExternalChangeCheck({
    clock,
    externalWrites,
    onChange: () => {
      s.pageCache?.everythingChanged();
      s.posts.forgetKept();
      s.settings.forgetKept();
      s.blogSettings.forgetKept();
      s.senderBlocks.forgetKept();
      s.spamFilter.modelMayHaveChanged();
      s.comments.forgetPins();
      s.embeds.forgetKept();
    },
  });
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    externalChanges.lookIfDue();
    answer(req, res);
  };
  return Object.assign(listener, {
    pageCache: s.pageCache,
    notifier: s.notifier,
    publisher: s.publisher,
    addressRetention: s.addressRetention,
  });
}
