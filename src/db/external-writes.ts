import type { Database } from './database';

/**
 * Tells whether another connection (another process: a command-line import, the sqlite3 shell)
 * has committed a change to the database since the last look. SQLite keeps that count itself, per
 * connection (`PRAGMA data_version`): this server's own writes do not move it.
 */
export function watchExternalWrites(db: Database) {
  let lastSeen: number | null = null;
  return {
    async changedSinceLastLook(): Promise<boolean> {
      const [row] = await db.$queryRawUnsafe<{ data_version: bigint | number }[]>('PRAGMA data_version');
      const version = Number(row?.data_version ?? 0);
      const changed = lastSeen !== null && version !== lastSeen;
      lastSeen = version;
      return changed;
    },
  };
}

export type ExternalWrites = ReturnType<typeof watchExternalWrites>;
