import type { RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { BadRequestError, type FieldErrors, ValidationError } from '../errors';

/**
 * Parses `req.body` with `schema` and keeps the result for the handler (`validBody(res)`).
 * A field of the wrong type (a list or object where text belongs) is a malformed request (400);
 * a well-formed field that breaks a rule is a validation error (422). Both name every bad field.
 */
export function validateBody(schema: z.ZodType, malformedMessage: string): RequestHandler {
  return (req, res, next) => {
    const result = schema.safeParse(req.body);
    if (result.success) {
      res.locals.validBody = result.data;
      return next();
    }
    const fields: FieldErrors = {};
    let bodyMessage: string | undefined;
    for (const issue of result.error.issues) {
      if (issue.path.length === 0) bodyMessage ??= issue.message;
      else fields[String(issue.path[0])] ??= issue.message;
    }
    const malformed = result.error.issues.some(
      (issue) => issue.code === 'invalid_type' || issue.code === 'invalid_union',
    );
    next(malformed ? new BadRequestError(bodyMessage ?? malformedMessage, fields) : new ValidationError(fields));
  };
}

/** The body `validateBody` accepted, typed by the caller's schema. */
export function validBody<T>(res: Response): T {
  return res.locals.validBody as T;
}
