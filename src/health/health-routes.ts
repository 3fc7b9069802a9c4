import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { HealthRepository } from './health-repository';

/**
 * GET /healthz — for a load balancer, a container orchestrator or a monitor: 200 `{ status: "ok" }`
 * when the database answers a query, 503 `{ status: "unavailable" }` otherwise. It says nothing
 * more (no version, path or error), and is never cached.
 */
export function createHealthRouter({ health, logger }: { health: HealthRepository; logger: Logger }): Router {
  const check: RequestHandler = async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      await health.readMigrationCount();
      res.json({ status: 'ok' });
    } catch (error) {
      logger.error({ err: error }, 'health check: the database did not answer');
      res.status(503).json({ status: 'unavailable' });
    }
  };
  const router = Router();
  router.get('/healthz', check);
  return router;
}
