import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { isDatabaseBusy, isDatabaseUnavailable } from '../db/database-errors';
import {
  AppError,
  BadRequestError,
  DatabaseBusyError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors';
import { httpMessages } from './http-messages';

/** What body-parser attaches to the errors it raises (status and a `type` naming the cause). */
interface BodyParserError {
  status?: number;
  type?: string;
}

/** Turns body-parser's errors into the app's own, so they look like every other error. */
function fromBodyParser(error: BodyParserError): AppError | null {
  switch (error.type) {
    case 'entity.too.large':
    case 'parameters.too.many':
      return new PayloadTooLargeError(httpMessages.tooLarge);
    case 'entity.parse.failed':
      return new BadRequestError(httpMessages.invalidJson, {}, 'invalid_json');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError(httpMessages.unsupportedEncoding);
    default:
      return typeof error.status === 'number' && error.status >= 400 && error.status < 500
        ? new AppError(error.status, 'bad_request', httpMessages.badRequest)
        : null;
  }
}

/**
 * The error as the app's own, when it is one a person can act on: ours, body-parser's, or a
 * database write that found another connection holding the lock. Null for faults (a 500).
 */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (isDatabaseBusy(error)) return new DatabaseBusyError(httpMessages.databaseBusy);
  if (isDatabaseUnavailable(error)) return new DatabaseBusyError(httpMessages.databaseUnavailable, 'unavailable');
  return fromBodyParser(error as BodyParserError);
}

/** Sets Retry-After when the error says how long to wait. */
export function setRetryAfter(res: Response, error: AppError): void {
  if (error.retryAfterSeconds) res.set('Retry-After', String(error.retryAfterSeconds));
}

/** Whether the client asked for JSON: the APIs (/api, /admin/api) always do; elsewhere the Accept header decides. */
export function wantsJson(req: Request): boolean {
  return /^\/(admin\/)?api\//.test(req.originalUrl) || req.accepts(['html', 'json']) === 'json';
}

/** Last handler of all: an unknown route is a 404 like any other error. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFoundError());

/**
 * The one error handler: known errors keep their status and message; anything else is a 500 with a
 * generic message, and its cause goes to the log only, never to the client.
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = toAppError(error);
    const appError = known ?? new AppError(500, 'internal_error', httpMessages.internal);
    if (!known) logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    if (appError instanceof DatabaseBusyError)
      logger.warn(
        { method: req.method, path: req.path },
        appError.reason === 'unavailable'
          ? 'database unavailable: the database server could not be reached'
          : 'database busy: another connection held the write lock past the busy timeout',
      );
    res.status(appError.status);
    setRetryAfter(res, appError);
    if (appError.status === 429 || appError.status === 503) res.set('Cache-Control', 'no-store');
    const body = { error: { code: appError.code, message: appError.message, fields: appError.fields } };
    if (wantsJson(req)) {
      res.json(body);
      return;
    }
    res.render('errors/error', {
      title: httpMessages.titles[appError.status] ?? 'Error',
      error: body.error,
      status: appError.status,
    });
  };
}
