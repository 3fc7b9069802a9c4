import express, { type RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '../errors';
import { httpMessages } from './http-messages';

// The largest legal comment is 65,525 bytes; written in a 3-byte script and urlencoded, that is
// ~196 KB (each byte becomes %XX). 256 KB admits it with the other fields; anything larger is 413.
export const bodyLimit = '256kb';

function requireContentType(type: string, message: string): RequestHandler {
  return (req, _res, next) => next(req.is(type) ? undefined : new UnsupportedMediaTypeError(message));
}

/** A urlencoded form body, and nothing else (415). Repeated fields arrive as arrays, never objects. */
export const formBody: RequestHandler[] = [
  requireContentType('application/x-www-form-urlencoded', httpMessages.formOnly),
  express.urlencoded({ extended: false, limit: bodyLimit, parameterLimit: 50 }),
];

/** A JSON object or array body, and nothing else (415). */
export const jsonBody: RequestHandler[] = jsonBodyUpTo(bodyLimit);

/** The same, up to `limit` (a post of the largest legal body, 500,000 bytes, escaped: `2mb`). */
export function jsonBodyUpTo(limit: string): RequestHandler[] {
  return [requireContentType('application/json', httpMessages.jsonOnly), express.json({ limit, strict: true })];
}
