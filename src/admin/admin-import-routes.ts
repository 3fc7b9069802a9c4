import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { ValidationError } from '../errors';
import { importFormats, ImportFailedError, runImport } from '../imports/import-runner';
import { showFormAgain, typedValues } from './admin-http';
import { adminMessages } from './admin-messages';
import { verifyAdminForm } from './admin-session';
import { exportUpload } from './admin-upload';

const importFormSchema = z.object({
  format: z.enum(importFormats, { error: adminMessages.unknownFormat }),
  dryRun: z.preprocess((value) => value === 'yes' || value === 'true' || value === '1', z.boolean()),
});

/** The format and dry-run choice of an import request, or a ValidationError naming the field. */
export function importRequestOf(fields: unknown, file: Express.Multer.File | undefined): { format: (typeof importFormats)[number]; dryRun: boolean; file: string; fileName: string } {
  const parsed = importFormSchema.safeParse(fields ?? {});
  const errors: Record<string, string> = {};
  if (!parsed.success) errors.format = adminMessages.unknownFormat;
  if (!file) errors.file = adminMessages.noFile;
  if (!parsed.success || !file) throw new ValidationError(errors);
  return { ...parsed.data, file: file.path, fileName: file.originalname };
}

/** /admin/import: upload a WordPress, Disqus or marginalia export, see the report. */
export function createAdminImportRouter({ databaseFile }: { databaseFile: string }): Router {
  const render = (res: Parameters<RequestHandler>[1], values: Record<string, string>, extra: object = {}) =>
    res.render('admin/import', { title: 'Import', values, errors: {}, report: null, failure: null, ...extra });

  // GET /admin/import — the upload form
  const showForm: RequestHandler = (_req, res) => render(res, { format: 'wordpress' });

  // POST /admin/import — run the import (or a dry run) and show what it did
  const importFile: RequestHandler = async (req, res) => {
    const request = importRequestOf(req.body, req.file);
    try {
      const report = await runImport({ databaseFile, ...request });
      render(res, typedValues(req.body), { report });
    } catch (error) {
      if (!(error instanceof ImportFailedError)) throw error;
      res.status(422);
      render(res, typedValues(req.body), { failure: error.message });
    }
  };

  const router = Router();
  router.get('/import', showForm);
  router.post(
    '/import',
    exportUpload,
    verifyAdminForm,
    importFile,
    showFormAgain((req, res, error) => render(res, typedValues(req.body), { errors: error.fields }), [400, 413, 415, 422]),
  );
  return router;
}
