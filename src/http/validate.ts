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
      const at = fieldPath(issue.path);
      if (issue.code === 'unrecognized_keys')
        for (const key of issue.keys) fields[at ? `${at}.${key}` : key] ??= `${key} is not a field this accepts.`;
      else if (!at) bodyMessage ??= issue.message;
      else fields[at] ??= issue.message;
    }
    const malformed = result.error.issues.some(
      (issue) => issue.code === 'invalid_type' || issue.code === 'invalid_union' || issue.code === 'unrecognized_keys',
    );
    next(malformed ? new BadRequestError(bodyMessage ?? malformedMessage, fields) : new ValidationError(fields));
  };
}

/** A field's name: its object keys joined with dots ("moderation.maxLinks"); list positions are left out. */
function fieldPath(path: readonly PropertyKey[]): string {
  const names: string[] = [];
  for (const segment of path) {
    if (typeof segment !== 'string') break;
    names.push(segment);
  }
  return names.join('.');
}

/** The body `validateBody` accepted, typed by the caller's schema. */
export function validBody<T>(res: Response): T {
  return res.locals.validBody as T;
}
