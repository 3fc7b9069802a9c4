import type { Logger } from 'pino';
import type { PostsService } from './posts-service';

/** How often the server looks for scheduled posts whose time has come. */
export const publishCheckMs = 15_000;

export interface ScheduledPublishing {
  /** Publishes what is due now; how many. Never throws: a failure is logged, and the next look tries again. */
  runOnce(): Promise<number>;
  /** Looks now and every `intervalMs` (the server starts it; a restart looks at once). Returns the stop. */
  start(intervalMs: number): () => void;
  /** Resolves with the count of the next look to start (tests wait on the timer's own work with it). */
  nextRun(): Promise<number>;
  close(): void;
}

/**
 * The timer that publishes scheduled posts. Their time is in the database, so a post due while
 * the server was down is published as it starts; several server processes may look at once, and
 * each post is published by one of them (posts-repository.ts).
 */
export function createScheduledPublishing({
  posts,
  logger,
}: {
  posts: PostsService;
  logger: Logger;
}): ScheduledPublishing {
  let timer: NodeJS.Timeout | undefined;
  let waiting: ((count: number) => void)[] = [];

  const publishing: ScheduledPublishing = {
    async runOnce() {
      // Those waiting now hear of this look, which reads the clock after they asked.
      const waiters = waiting;
      waiting = [];
      let count = 0;
      try {
        count = await posts.publishDue();
        if (count > 0)
          logger.info({ count }, `published ${count === 1 ? 'a scheduled post' : `${count} scheduled posts`}`);
      } catch (error) {
        logger.error({ err: error }, 'scheduled posts could not be published; trying again later');
      }
      for (const resolve of waiters) resolve(count);
      return count;
    },
    start(intervalMs) {
      clearInterval(timer);
      timer = setInterval(() => void publishing.runOnce(), intervalMs);
      timer.unref();
      void publishing.runOnce();
      return () => clearInterval(timer);
    },
    nextRun() {
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      clearInterval(timer);
    },
  };
  return publishing;
}
