import { rateLimit, type Store } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import { TooManyRequestsError } from '../errors';

export interface RateLimitOptions {
  limit: number;
  windowSeconds: number;
  /** What the client is told, knowing how many seconds it must wait. */
  message: (retryAfterSeconds: number) => string;
  /** Count only refused requests (sign-in: a successful one should not use up the allowance). */
  skipSuccessfulRequests?: boolean;
  /** With skipSuccessfulRequests: which answers count (by default, any 4xx or 5xx). */
  counts?: (statusCode: number) => boolean;
  /** Requests the limiter lets through uncounted. */
  exempt?: (req: Request) => boolean;
  /** One allowance for every client together (a site-wide budget), instead of one per client IP. */
  wholeSite?: boolean;
  /** Where the counts are kept: this process's memory unless given (a store every process shares). */
  store?: Store;
}

/**
 * A limiter per client IP (IPv6 clients keyed by their /56, so one host cannot dodge it by
 * rotating addresses), or for the whole site. Each call makes a fresh in-memory store (one per
 * limiter, one set per app) unless given a shared one. Going over the limit raises TooManyRequestsError, so a 429 looks like
 * every other error (the comment form shows it next to what was typed); RateLimit and Retry-After
 * headers are sent.
 */
export function createRateLimiter({
  limit,
  windowSeconds,
  message,
  skipSuccessfulRequests = false,
  counts = (statusCode) => statusCode >= 400,
  exempt,
  wholeSite = false,
  store,
}: RateLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(wholeSite ? { keyGenerator: () => 'the whole site' } : { ipv6Subnet: 56 }),
    skipSuccessfulRequests,
    requestWasSuccessful: (_req, res) => !counts(res.statusCode),
    ...(exempt ? { skip: exempt } : {}),
    ...(store ? { store } : {}),
    handler: (_req, res, next) => {
      const retryAfter = Number(res.getHeader('Retry-After')) || windowSeconds;
      next(new TooManyRequestsError(message(retryAfter), retryAfter));
    },
  });
}
