import pg from 'pg';
import type { ExternalWrites } from './external-writes';

/** The channel the migration's triggers notify when what public pages show has changed. */
const channel = 'marginalia_page_changes';

/**
 * Listens for the change notices PostgreSQL sends at each commit that touched posts, comments or
 * the moderation settings; a notice from any connection not named `instance` (another server
 * process, an import run from the command line) means pages kept in memory may be stale. A lost
 * listening connection is opened again at the next look; once it is, that counts as a change
 * (notices may have been missed meanwhile). Until then kept pages stay: while PostgreSQL is
 * down nothing can change them, and they are all the blog can serve.
 */
export async function listeningForOtherInstances(
  url: string,
  instance: string,
): Promise<ExternalWrites & { stop(): Promise<void> }> {
  let changed = false;
  let stopped = false;
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;

  async function listen(): Promise<void> {
    const next = new pg.Client({ connectionString: url, application_name: `${instance}-listener` });
    next.on('notification', (notice) => {
      if (notice.payload !== instance) changed = true;
    });
    next.on('error', () => {
      if (client === next) client = null;
      void next.end().catch(() => undefined);
    });
    await next.connect();
    await next.query(`LISTEN ${channel}`);
    if (stopped) await next.end();
    else client = next;
  }

  await listen();
  let lost = false;
  return {
    changedSinceLastLook() {
      if (!client && !connecting && !stopped) {
        lost = true;
        connecting = listen()
          .then(() => {
            if (lost) changed = true;
            lost = false;
          })
          .catch(() => undefined)
          .finally(() => (connecting = null));
      }
      const result = changed;
      changed = false;
      return result;
    },
    async stop() {
      stopped = true;
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}
