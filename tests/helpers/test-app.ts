import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createApp, type MarginaliaApp } from '../../src/app';
import { loadConfig, type Config, type ConfigInput } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { createLogger } from '../../src/http/logger';
import { createTestClock, type TestClock } from './test-clock';
import { freshDatabaseUrl, removeDatabase } from './test-database';

export interface TestContext {
  app: MarginaliaApp;
  db: Database;
  config: Config;
  /** The app's clock: `ctx.clock.advance(ms)` moves time forward for every part of the app. */
  clock: TestClock;
  /** Every log line the app wrote, as text. */
  logLines: string[];
  dir: string;
  close(): Promise<void>;
}

/**
 * A real app on a real, freshly migrated database (an SQLite file in its own temp folder, or a new
 * PostgreSQL database under npm run test:postgres). `env` overrides the
 * configuration as environment variables would (e.g. a tiny COMMENT_RATE_LIMIT).
 */
export async function buildTestApp(env: ConfigInput = {}): Promise<TestContext> {
  const dir = mkdtempSync(path.join(tmpdir(), 'marginalia-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: await freshDatabaseUrl(dir),
    COMMENT_RATE_LIMIT: '1000',
    COMMENT_FLOOD_SECONDS: '0',
    COMMENT_MIN_SECONDS: '0',
    // Factories write straight to the database, below the app; the page cache has tests of its own.
    PAGE_CACHE: 'off',
    ...env,
  });
  const { db, externalWrites } = await openDatabase({
    location: config.database,
    busyTimeoutMs: config.DB_BUSY_TIMEOUT_MS,
    announcesChanges: true,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger(config.LOG_LEVEL, sink);
  const clock = createTestClock();
  const app = createApp({
    config,
    db,
    externalWrites,
    logger,
    clock,
    cookieSecret: 'test-secret-that-is-at-least-32-characters',
    sessionSecret: 'test-session-secret-at-least-32-characters',
  });
  return {
    app,
    db,
    config,
    clock,
    logLines,
    dir,
    async close() {
      app.notifier.close();
      app.publisher.close();
      await db.$disconnect();
      await removeDatabase(config.DATABASE_URL);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
