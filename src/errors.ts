// Errors a person can act on. Services throw them; the error handler (src/http/error-handler.ts)
// turns each into a status code, a stable `code` and the message, as an HTML page or JSON.

/** Per-field messages, keyed by the form field name (WordPress's: comment, author, email, url). */
export type FieldErrors = Record<string, string>;

/** Base class: an HTTP status, a stable machine-readable code and a user-facing message. */
export class AppError extends Error {
  /** When set, how long the client should wait before trying again (the Retry-After header). */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldErrors = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed (a field sent as a list, broken JSON). */
export class BadRequestError extends AppError {
  constructor(message: string, fields: FieldErrors = {}, code = 'bad_request') {
    super(400, code, message, fields);
  }
}

/** 401: the request did not prove who sent it. */
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
}

/** 403: the action is not allowed here (e.g. comments are closed). */
export class ForbiddenError extends AppError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message);
  }
}

/** 404: nothing at this address. */
export class NotFoundError extends AppError {
  constructor(message = 'Sorry, there is nothing at this address.', code = 'not_found') {
    super(404, code, message);
  }
}

/** 409: the request conflicts with what is stored. */
export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict', fields: FieldErrors = {}) {
    super(409, code, message, fields);
  }
}

/** 413: the body is larger than any legal request. */
export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

/** 415: a body in a format this endpoint does not read. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

/** 422: well-formed, but some fields break the rules; `fields` says which and why. */
export class ValidationError extends AppError {
  constructor(fields: FieldErrors, message = 'Please correct the highlighted fields.') {
    super(422, 'validation_failed', message, fields);
  }
}

/** 429: too many requests from this client; `retryAfterSeconds` feeds the Retry-After header. */
export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    override readonly retryAfterSeconds?: number,
  ) {
    super(429, 'too_many_requests', message);
  }
}

/** 503: this part of the site cannot serve requests (not set up yet, or busy for a moment). */
export class ServiceUnavailableError extends AppError {
  constructor(
    message: string,
    code = 'service_unavailable',
    override readonly retryAfterSeconds?: number,
  ) {
    super(503, code, message);
  }
}

/**
 * 503: another connection held the database's write lock for longer than the busy timeout, so
 * nothing was written; the same request a few seconds later will go through.
 */
export class DatabaseBusyError extends AppError {
  override readonly retryAfterSeconds = 5;

  /** `locked`: another connection held the write lock; `unavailable`: the database server could not be reached. */
  constructor(
    message: string,
    readonly reason: 'locked' | 'unavailable' = 'locked',
  ) {
    super(503, reason === 'locked' ? 'database_busy' : 'database_unavailable', message);
  }
}
