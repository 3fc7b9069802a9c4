/**
 * Tells whether another process (a command-line import, the sqlite3 shell, another instance on
 * PostgreSQL) has committed a change to what pages show since the last look, so kept pages can be
 * dropped. SQLite: the connection's `data_version` (sqlite-adapter.ts); PostgreSQL: LISTEN
 * (postgres-changes.ts).
 */
export interface ExternalWrites {
  changedSinceLastLook(): boolean;
  /** Tells the other processes that this one changed what public pages show (SQLite: they see it themselves). */
  announceChange(): void;
}

/** For apps built without a database of their own to watch (nothing else writes to it). */
export const noExternalWrites: ExternalWrites = { changedSinceLastLook: () => false, announceChange: () => undefined };
