import type { Logger } from 'pino';
import type { CommenterDataService } from './commenter-data-service';

/** How often the server removes addresses that are past their retention. */
export const retentionCheckMs = 24 * 3_600_000;

export interface AddressRetention {
  /** Removes what is past its retention now; how many comments changed. Never throws (a failure is logged). */
  runOnce(): Promise<number>;
  /** Runs now and every `intervalMs`; returns the stop. */
  start(intervalMs: number): () => void;
  close(): void;
}

/**
 * The daily job behind IP_RETENTION_DAYS: comments older than it lose their IP address, user agent
 * and network. Every server process may run it; the UPDATE changes each row once.
 */
export function createAddressRetention({
  commenterData,
  logger,
}: {
  commenterData: CommenterDataService;
  logger: Logger;
}): AddressRetention {
  let timer: NodeJS.Timeout | undefined;
  const retention: AddressRetention = {
    async runOnce() {
      try {
        const count = await commenterData.removeOldAddresses();
        if (count > 0) logger.info({ count }, `removed IP addresses and user agents from ${count} older comments`);
        return count;
      } catch (error) {
        logger.error({ err: error }, 'old IP addresses could not be removed; trying again later');
        return 0;
      }
    },
    start(intervalMs) {
      clearInterval(timer);
      timer = setInterval(() => void retention.runOnce(), intervalMs);
      timer.unref();
      void retention.runOnce();
      return () => clearInterval(timer);
    },
    close() {
      clearInterval(timer);
    },
  };
  return retention;
}
