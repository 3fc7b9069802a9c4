import { retentionCheckMs } from './privacy/address-retention';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { adminMessages } from './admin/admin-messages';
import { checkMemoryOf, defaultCheckMemory } from './admin/password';
import { createApp } from './app';
import { describeMailSetup, mailSetupOf } from './notifications/mail-setup';
import { scheduleBackups } from './backups/backup-schedule';
import { publishCheckMs } from './posts/scheduled-publishing';
import { createScheduledRunsRepository } from './backups/scheduled-runs-repository';
import { ConfigError, loadConfig, readEnvironment, type Config } from './config';
import { openDatabase, type Database } from './db/database';
import { loadSiteSecrets } from './site-secrets/site-secrets';
import { createSiteSecretsRepository } from './site-secrets/site-secrets-repository';
import { createLogger, type Logger } from './http/logger';
import { createPostsRepository } from './posts/posts-repository';
import { createPostsService } from './posts/posts-service';
import { systemClock } from './shared/clock';

const shutdownGraceMs = 10_000;

/**
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish (each gets its
 * response), close the database, exit 0; past the grace period, exit 1 anyway.
 */
function stopOnSignals(server: Server, db: Database, logger: Logger, stopBackgroundWork: () => void): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    stopBackgroundWork();
    setTimeout(() => {
      logger.error('requests still open after the grace period; exiting');
      process.exit(1);
    }, shutdownGraceMs).unref();
    // A keep-alive connection goes idle once its last response is sent; close each as it does,
    // or the server would wait for the client's keep-alive timeout.
    const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(closeIdle);
      void db.$disconnect().finally(() => {
        logger.info('stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function start(config: Config): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL);
  const { db, externalWrites, settings, appliedMigrations } = await openDatabase({
    location: config.database,
    busyTimeoutMs: config.DB_BUSY_TIMEOUT_MS,
    announcesChanges: true,
  });
  logger.info(
    { ...settings, appliedMigrations: appliedMigrations.map((name) => path.basename(name)) },
    'database ready',
  );
  // Some file systems (network shares) cannot hold SQLite's write-ahead log; say so once, loudly.
  if (settings.engine === 'sqlite' && settings.journalMode !== 'wal')
    logger.warn(
      { journalMode: settings.journalMode },
      'WAL could not be enabled on this file system: readers will wait for writers, and a crash is riskier; keep the database on a local disk',
    );
  if (!config.ADMIN_USER || !config.ADMIN_PASSWORD_HASH) logger.warn(adminMessages.notConfigured);
  if (!config.ADMIN_API_TOKEN) logger.info(adminMessages.apiNotConfigured);
  // Mail half set up is worth a warning; none at all is a choice.
  const mail = mailSetupOf(config);
  const mailHalfSetUp =
    !mail.ready && (config.SMTP_URL || config.MODERATOR_EMAIL || config.PUBLIC_URL || config.MAIL_FROM);
  logger[mailHalfSetUp || (mail.ready && mail.moderators.length === 0) ? 'warn' : 'info'](describeMailSetup(mail));
  if (config.ADMIN_PASSWORD_HASH && checkMemoryOf(config.ADMIN_PASSWORD_HASH) > defaultCheckMemory) {
    logger.info(adminMessages.costlyPasswordHash);
  }
  const demo = await createPostsService({ repo: createPostsRepository(db), clock: systemClock }).ensureDemoPost(
    config.DISPLAY_NAME || config.ADMIN_USER || undefined,
  );
  if (demo) logger.info({ slug: demo.slug }, 'added a demo post to the empty blog');

  const { cookieSecret, sessionSecret } = await loadSiteSecrets(createSiteSecretsRepository(db), {
    cookieSecret: config.COOKIE_SECRET,
    sessionSecret: config.SESSION_SECRET,
  });
  const app = createApp({ config, db, externalWrites, logger, clock: systemClock, cookieSecret, sessionSecret });
  const announce = (): void => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    logger.info({ port }, `marginalia is serving http://localhost:${port}`);
  };
  const server = createServer(app);
  if (config.HOST) server.listen(config.PORT, config.HOST, announce);
  else server.listen(config.PORT, announce);
  server.on('error', (error) => {
    logger.fatal({ err: error }, 'could not listen');
    process.exit(1);
  });
  const scheduledRuns = createScheduledRunsRepository(db);
  const cancelBackups = config.backupDir
    ? scheduleBackups({
        database: config.database,
        dir: config.backupDir,
        keep: config.BACKUP_KEEP,
        intervalHours: config.BACKUP_INTERVAL_HOURS,
        logger,
        ...(config.database.engine === 'postgres'
          ? { claim: (now: Date, everyMs: number) => scheduledRuns.claim('backup', now, everyMs) }
          : {}),
      })
    : () => undefined;
  // Mail and webhooks: the outbox is looked at now and every NOTIFY_INTERVAL_SECONDS.
  const stopNotifier = app.notifier.start(config.NOTIFY_INTERVAL_SECONDS * 1000);
  // Scheduled posts: published when their time comes (and at start, if it came while stopped).
  const stopPublisher = app.publisher.start(publishCheckMs);
  // IP addresses and user agents past IP_RETENTION_DAYS: removed now and once a day.
  const stopRetention = app.addressRetention.start(retentionCheckMs);
  stopOnSignals(server, db, logger, () => {
    cancelBackups();
    stopNotifier();
    stopPublisher();
    stopRetention();
  });
}

let config: Config;
try {
  config = loadConfig(readEnvironment());
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : String(error));
  process.exit(1);
}
start(config).catch((error: unknown) => {
  console.error(`marginalia could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
