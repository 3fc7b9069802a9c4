import { isDatabaseBusy, isDatabaseUnavailable } from '../../src/db/database-errors';

// What the error handler makes of the database's errors: 503 with Retry-After for a database that
// is busy or cannot be reached, whatever shape the error reaches it in. (Shapes as Prisma 7 and
// its PostgreSQL adapter give them; the fault tests in tests/postgres/ meet the real ones.)

it('takes a server that cannot be reached, in every shape seen, as unavailable', () => {
  const adapterError = Object.assign(new Error('ConnectionClosed'), { cause: { kind: 'ConnectionClosed' } });
  expect(isDatabaseUnavailable(adapterError)).toBe(true);
  expect(
    isDatabaseUnavailable({ code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } }),
  ).toBe(true);
  expect(isDatabaseUnavailable({ code: 'P1001' })).toBe(true);
  expect(isDatabaseUnavailable({ meta: { driverAdapterError: { cause: { originalCode: '57P01' } } } })).toBe(true);
  expect(isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
  // node-postgres's pool, all its connections taken past connectionTimeoutMillis.
  expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
  expect(isDatabaseUnavailable({ code: 'P2002' })).toBe(false);
});

it('takes a lock not had in time, a deadlock or an expired transaction as busy', () => {
  expect(isDatabaseBusy({ code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: '55P03' } } } })).toBe(
    true,
  );
  expect(isDatabaseBusy({ code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: '40P01' } } } })).toBe(
    true,
  );
  expect(isDatabaseBusy({ code: 'P2028' })).toBe(true);
  expect(isDatabaseBusy({ code: 'P2002' })).toBe(false);
});
