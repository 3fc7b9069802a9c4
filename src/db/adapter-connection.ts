import Database from 'better-sqlite3';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';

// What the wrappers around Prisma's better-sqlite3 adapter (statement-cache, lock-waits,
// shared-connection) share.

/**
 * The better-sqlite3 connection inside Prisma's adapter (7.10 keeps it as `client`), for the
 * wrappers that tune it. A Prisma upgrade that renames or hides it must fail loudly at start, not
 * silently drop what they do.
 */
export function connectionOf(adapter: SqlDriverAdapter): Database.Database {
  const client = (adapter as unknown as { client?: unknown }).client;
  if (!(client instanceof Database)) {
    throw new Error(
      `Prisma's ${adapter.adapterName} adapter no longer exposes its better-sqlite3 connection; see src/db/adapter-connection.ts`,
    );
  }
  return client;
}

/** The factory that hands out `factory`'s adapters, each passed through `tune` as it connects. */
export function tuningEachAdapter(
  factory: SqlDriverAdapterFactory,
  tune: (adapter: SqlDriverAdapter) => SqlDriverAdapter,
): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => tune(await factory.connect()),
  };
}

/** A statement with no arguments, as the adapter takes it (transaction control). */
export const plainStatement = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });
