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
  let announcing: NodeJS.Timeout | null = null;
  let lastAnnouncement: Promise<unknown> = Promise.resolve();
  const announceNow = (): void => {
    announcing = null;
    // On the listening connection, in a transaction of its own that writes nothing: no flush to
    // wait for. A notice lost with the connection is made up for by the others' next change.
    lastAnnouncement = (client?.query('SELECT pg_notify($1, $2)', [channel, instance]) ?? Promise.resolve()).catch(
      () => undefined,
    );
  };
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
    // Changes made close together are announced once, a tenth of a second after the first.
    announceChange() {
      if (!announcing && !stopped) announcing = setTimeout(announceNow, 100);
    },
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
      if (announcing) {
        clearTimeout(announcing);
        announceNow();
      }
      await lastAnnouncement;
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}
