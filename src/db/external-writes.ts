import type Database from 'better-sqlite3';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { connectionOf, tuningEachAdapter } from './adapter-connection';

/**
 * Tells whether another connection (another process: a command-line import, the sqlite3 shell)
 * has committed a change to the database since the last look. SQLite keeps that count for each
 * connection (`PRAGMA data_version`); this server's own writes do not move it. Read on the
 * connection directly, at once: through Prisma it would wait behind every open transaction.
 */
export interface ExternalWrites {
  changedSinceLastLook(): boolean;
  /** Tells the other processes that this one changed what public pages show (SQLite: they see it themselves). */
  announceChange(): void;
}

/** Wraps the adapter factory so the connection's `ExternalWrites` can be read once it is open. */
export function watchingExternalWrites(factory: SqlDriverAdapterFactory): {
  factory: SqlDriverAdapterFactory;
  externalWrites: ExternalWrites;
} {
  let connection: Database.Database | null = null;
  let lastSeen: number | null = null;
  return {
    factory: tuningEachAdapter(factory, (adapter) => {
      connection = connectionOf(adapter);
      lastSeen = null;
      return adapter;
    }),
    externalWrites: {
      changedSinceLastLook() {
        if (!connection) return false;
        const version = Number(connection.pragma('data_version', { simple: true }));
        const changed = lastSeen !== null && version !== lastSeen;
        lastSeen = version;
        return changed;
      },
      announceChange: () => undefined,
    },
  };
}

/** For apps built without a database of their own to watch (nothing else writes to it). */
export const noExternalWrites: ExternalWrites = { changedSinceLastLook: () => false, announceChange: () => undefined };
