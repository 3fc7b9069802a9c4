// What Prisma's errors mean for the database underneath, for the layers that must answer a person.

interface PrismaDriverError {
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
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
