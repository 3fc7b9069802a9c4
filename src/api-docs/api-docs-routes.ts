import { Router } from 'express';
import { openApiDocument } from './openapi-document';

/** GET /api/openapi.json: the OpenAPI 3.1 document of the JSON APIs, written once per process. */
export function createApiDocsRouter(): Router {
  let document: string | null = null;
  const router = Router();
  router.get('/api/openapi.json', (_req, res) => {
    document ??= JSON.stringify(openApiDocument());
    res.set('Cache-Control', 'public, max-age=3600').type('application/json').send(document);
  });
  return router;
}
