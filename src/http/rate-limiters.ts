import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { TooManyRequestsError } from '../errors';

export interface RateLimitOptions {
  limit: number;
  windowSeconds: number;
  message: string;
  /** Count only refused requests (sign-in: a successful one should not use up the allowance). */
  skipSuccessfulRequests?: boolean;
}

/**
 * A per-client-IP limiter (IPv6 clients keyed by their /56, so one host cannot dodge it by
 * rotating addresses). Each call makes a fresh in-memory store: one per limiter, one set per app.
 * Going over the limit raises TooManyRequestsError, so a 429 looks like every other error (the
 * comment form shows it next to what was typed); RateLimit and Retry-After headers are sent.
 */
export function createRateLimiter({
  limit,
  windowSeconds,
  message,
  skipSuccessfulRequests = false,
}: RateLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ipv6Subnet: 56,
    skipSuccessfulRequests,
    handler: (_req, res, next) =>
      next(new TooManyRequestsError(message, Number(res.getHeader('Retry-After')) || undefined)),
  });
}
