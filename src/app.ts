import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { createCommenterCookies } from './comments/commenter-cookies';
import { createCommentsRepository } from './comments/comments-repository';
import { createCommentsRouter } from './comments/comments-routes';
import { createCommentsService } from './comments/comments-service';
import { commentMessages } from './comments/comments-messages';
import type { Config } from './config';
import type { Database } from './db/database';
import { createErrorHandler, notFoundHandler } from './http/error-handler';
import { createRateLimiter } from './http/rate-limiters';
import { createRequestLogger } from './http/request-logger';
import { securityHeaders } from './http/security-headers';
import { useEtaViews } from './http/views';
import { projectRoot } from './paths';
import { createArticlePage } from './posts/article-page';
import { createPostsRepository } from './posts/posts-repository';
import { createPostsRouter } from './posts/posts-routes';
import { createPostsService } from './posts/posts-service';
import { formatDate, formatDateTime } from './http/date-format';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** Signs the commenter cookies; at least 32 characters. */
  cookieSecret: string;
}

/** The composition root: wires configuration, database and feature routers into an Express app. */
export function createApp({ config, db, logger, cookieSecret }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  useEtaViews(app, { cache: config.NODE_ENV !== 'development' });
  app.locals.site = { title: config.SITE_TITLE, tagline: config.SITE_TAGLINE };
  app.locals.formatDate = formatDate;
  app.locals.formatDateTime = formatDateTime;

  const posts = createPostsService({ repo: createPostsRepository(db) });
  const comments = createCommentsService({
    repo: createCommentsRepository(db),
    posts,
    moderationMode: config.MODERATION_MODE,
  });
  const commenterCookies = createCommenterCookies(cookieSecret);
  const articlePage = createArticlePage({ posts, comments, commenterCookies });
  const submissionLimiter = createRateLimiter({
    limit: config.COMMENT_RATE_LIMIT,
    windowSeconds: config.COMMENT_RATE_WINDOW_SECONDS,
    message: commentMessages.tooFast,
  });

  app.use(createRequestLogger(logger));
  app.use(securityHeaders());
  app.use('/assets', express.static(path.join(projectRoot, 'public'), { index: false, maxAge: '1h' }));
  app.use(cookieParser(cookieSecret));
  app.use(createPostsRouter({ posts, articlePage }));
  app.use(createCommentsRouter({ comments, articlePage, commenterCookies, submissionLimiter }));
  app.use(notFoundHandler);
  app.use(createErrorHandler());
  return app;
}
