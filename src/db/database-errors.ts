// What Prisma's errors mean for the database underneath, for the layers that must answer a person.

interface PrismaDriverError {
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
}

/**
 * Whether a query failed because another connection (another process, a backup, the sqlite3
 * shell) held the write lock for longer than the busy timeout. Nothing was written: the statement
 * that waited did not run, so sending the same thing again later is safe. Prisma reports it as
 * P1008 "Socket timeout" from its own queries and as P2010 "Raw query failed" from $queryRaw; the
 * driver's own code says what it was.
 */
export function isDatabaseBusy(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as PrismaDriverError;
  const original = meta?.driverAdapterError?.cause?.originalCode;
  return (
    (code === 'P1008' || code === 'P2010') && typeof original === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(original)
  );
}

// What Prisma's PostgreSQL adapter calls a server it cannot talk to.
const unreachable = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Whether a query failed because the database server could not be reached or dropped the
 * connection (PostgreSQL restarting, a network fault, its connections all taken): Prisma's
 * "can't reach" and "closed" codes, the adapter's error kinds, PostgreSQL's own codes for a server
 * shutting down or starting (57P01-57P03) and for a lost connection (class 08), or the driver's
 * message for a connection cut mid-query. The request can be sent again once the server is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as PrismaDriverError;
  if (code === 'P1001' || code === 'P1002' || code === 'P1017') return true;
  const cause = meta?.driverAdapterError?.cause;
  if (typeof cause?.kind === 'string' && unreachable.has(cause.kind)) return true;
  if (typeof cause?.originalCode === 'string' && /^(57P0[123]|08)/.test(cause.originalCode)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error and is not queryable/.test(
    message,
  );
}
