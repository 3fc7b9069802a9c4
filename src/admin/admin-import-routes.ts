import { Router, type RequestHandler } from 'express';
import type { Imports } from '../imports/import-runner';
import { showFormAgain, typedValues } from './admin-http';
import { importRequestOf } from './admin-schemas';
import { verifyAdminForm, verifyUploadOrigin } from './admin-session';
import { exportUpload } from './admin-upload';

/** /admin/import: upload a WordPress, Disqus or marginalia export, see the report. */
export function createAdminImportRouter({ imports }: { imports: Imports }): Router {
  const render = (res: Parameters<RequestHandler>[1], values: Record<string, string>, extra: object = {}) =>
    res.render('admin/import', { title: 'Import', values, errors: {}, report: null, ...extra });

  // GET /admin/import — the upload form
  const showForm: RequestHandler = (_req, res) => render(res, { format: 'wordpress' });

  // POST /admin/import — run the import (or a dry run) and show what it did. A file that cannot be
  // imported is a 422 (ImportFailedError), shown above the form again with the choices made.
  const importFile: RequestHandler = async (req, res) => {
    const report = await imports.run(importRequestOf(req.body, req.file));
    render(res, typedValues(req.body), { report });
  };

  const router = Router();
  router.get('/import', showForm);
  router.post(
    '/import',
    verifyUploadOrigin,
    exportUpload,
    verifyAdminForm,
    importFile,
    showFormAgain(
      (req, res, error) => render(res, typedValues(req.body), { errors: error.fields }),
      [400, 409, 413, 415, 422],
    ),
  );
  return router;
}
