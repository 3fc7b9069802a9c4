// What Prisma's errors mean for the database underneath, for the layers that must answer a person.

interface DriverCause {
  originalCode?: unknown;
  kind?: unknown;
}

interface PrismaDriverError {
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: DriverCause } };
}

/**
 * Prisma's code for the error, and the driver adapter's own account of it: on the error itself
 * (as a batch transaction can pass the adapter's error on unwrapped), or wrapped by Prisma.
 */
function partsOf(error: object): { code: unknown; cause: DriverCause | undefined } {
  const { code, meta } = error as PrismaDriverError;
  return { code, cause: (error as { cause?: DriverCause }).cause ?? meta?.driverAdapterError?.cause };
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
  const { code, cause } = partsOf(error);
  const original = cause?.originalCode;
  if ((code === 'P1008' || code === 'P2010') && typeof original === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(original))
    return true;
  // PostgreSQL: a lock not had within lock_timeout (55P03), a statement cancelled by its timeout
  // (57014), a deadlock or a conflict another transaction won (40P01, 40001: Prisma's P2034), or a
  // transaction Prisma gave up on after waiting (P2028). Each was rolled back whole.
  if (code === 'P2028' || code === 'P2034' || cause?.kind === 'TransactionWriteConflict') return true;
  return typeof original === 'string' && /^(55P03|57014|40P01|40001)$/.test(original);
}

// What Prisma's PostgreSQL adapter calls a server it cannot talk to.
// (A refused password or access counts too: during a password change, say, nothing can be read.)
const unreachable = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'AuthenticationFailed',
  'DatabaseAccessDenied',
]);

/**
 * Whether a query failed because the database server could not be reached or dropped the
 * connection (PostgreSQL restarting, a network fault, its connections all taken): Prisma's
 * "can't reach" and "closed" codes, the adapter's error kinds, PostgreSQL's own codes for a server
 * shutting down or starting (57P01-57P03) and for a lost connection (class 08), or the driver's
 * message for a connection cut mid-query. The request can be sent again once the server is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, cause } = partsOf(error);
  if (code === 'P1000' || code === 'P1001' || code === 'P1002' || code === 'P1010' || code === 'P1017') return true;
  if (typeof cause?.kind === 'string' && unreachable.has(cause.kind)) return true;
  if (typeof cause?.originalCode === 'string' && /^(57P0[123]|08)/.test(cause.originalCode)) return true;
  const message = error instanceof Error ? error.message : '';
  // node-postgres's pool gives "timeout exceeded when trying to connect" when all its connections
  // stayed taken (each waiting for a lock, say) past connectionTimeoutMillis.
  return /Connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect/.test(
    message,
  );
}

/**
 * Whether PostgreSQL refused a statement for what it holds (a constraint, a value out of range, a
 * value too large for an index: SQLSTATE classes 22, 23 and 54), as opposed to the database being
 * busy or unreachable: sent with others, the others were refused only for sharing its transaction.
 */
export function isStatementRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { cause } = partsOf(error);
  return typeof cause?.originalCode === 'string' && /^(22|23|54)/.test(cause.originalCode);
}
