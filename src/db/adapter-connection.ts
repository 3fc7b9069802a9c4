import Database from 'better-sqlite3';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';

/**
 * The better-sqlite3 connection inside Prisma's adapter (7.10 keeps it as `client`), for the
 * wrappers that tune it. A Prisma upgrade that renames or hides it must fail loudly at start, not
 * silently drop what they do.
 */
export function connectionOf(adapter: SqlDriverAdapter): Database.Database {
  const client = (adapter as unknown as { client?: unknown }).client;
  if (!(client instanceof Database)) {
    throw new Error(`Prisma's ${adapter.adapterName} adapter no longer exposes its better-sqlite3 connection; see src/db/adapter-connection.ts`);
  }
  return client;
}
