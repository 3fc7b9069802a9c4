import type { DatabaseLocation } from '../shared/database-location';

/**
 * Runs `work` unless work of the same name is already running in any server process on this
 * database; resolves with null, without running it, if it is.
 */
export type ExclusiveWork = <T>(name: string, work: () => Promise<T>) => Promise<T | null>;

/**
 * On SQLite (one server process) a name is taken in this process's memory. On PostgreSQL it is a
 * session advisory lock on a connection of its own, held while the work runs: every instance sees
 * it, and it is let go when the work ends or the process dies (PostgreSQL ends its session).
 */
export function exclusiveWorkOn(location: DatabaseLocation): ExclusiveWork {
  if (location.engine === 'sqlite') {
    const running = new Set<string>();
    return async (name, work) => {
      if (running.has(name)) return null;
      running.add(name);
      try {
        return await work();
      } finally {
        running.delete(name);
      }
    };
  }
  return async (name, work) => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: location.url, application_name: `marginalia-lock-${name}` });
    await client.connect();
    try {
      const { rows } = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock(3, hashtext($1)) AS taken', [
        name,
      ]);
      if (!rows[0]?.taken) return null;
      return await work();
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
