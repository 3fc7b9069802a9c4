import pino, { type DestinationStream, type Logger } from 'pino';
import { withoutEmailAddresses } from '../shared/email-addresses';

// Anything that can carry a commenter's email or a session: request bodies, cookies, form fields.
// The access log (access-log.ts) writes none of these; the redaction keeps it so if someone logs them later.
const redactedPaths = [
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.body',
  '*.email',
  '*.authorEmail',
  '*.password',
];

// An unexpected error's message could quote input (a driver echoing a value, say); addresses in
// error messages and stacks are masked before they reach the log.

function serializeError(error: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack']) {
    const value = serialized[key];
    if (typeof value === 'string') serialized[key] = withoutEmailAddresses(value);
  }
  return serialized;
}

/** The app's structured logger (JSON lines on stdout, or `destination` in tests). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: redactedPaths, censor: '[redacted]' }, serializers: { err: serializeError } },
    destination,
  );
}

export type { Logger };
