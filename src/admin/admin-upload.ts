import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RequestHandler } from 'express';
import multer from 'multer';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';
import { adminMessages } from './admin-messages';
import { mediaMessages } from '../media/media-service';

// An export file sent to the admin area or API: streamed to a temp folder (never held in memory),
// one file, at most 256 MB, deleted once the response is sent. Mount it after the checks of who is
// sending (the API token, or the session and its CSRF token): nothing of an upload is read before.

export const maxUploadMegabytes = 256;

let folder: string | null = null;

/**
 * The folder uploads are received in: made on first use for this process alone, so only its owner
 * can open it (an export holds every commenter's email address), and removed when the process ends.
 */
export function uploadFolder(): string {
  if (folder) return folder;
  const made = mkdtempSync(path.join(tmpdir(), 'marginalia-uploads-'));
  process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  folder = made;
  return made;
}

const receive = multer({
  storage: multer.diskStorage({ destination: (_req, _file, done) => done(null, uploadFolder()) }),
  limits: { fileSize: maxUploadMegabytes * 1024 * 1024, files: 1, fields: 20 },
}).single('file');

export const exportUpload: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next(new UnsupportedMediaTypeError(adminMessages.uploadOnly));
  res.on('close', () => {
    // multer deletes what it stored when it refuses an upload, and may leave `req.file` without a path.
    const stored = req.file?.path;
    if (typeof stored === 'string') rm(stored, { force: true }).catch(() => undefined);
  });
  receive(req, res, (error: unknown) => {
    if (!error) return next();
    if (error instanceof multer.MulterError) {
      return next(
        error.code === 'LIMIT_FILE_SIZE'
          ? new PayloadTooLargeError(adminMessages.uploadTooLarge(maxUploadMegabytes))
          : new BadRequestError(adminMessages.uploadUnreadable),
      );
    }
    // Anything else the parser threw (no boundary, a cut-off body, a malformed part) is the
    // sender's; a system error (a full disk) is ours.
    const isSystemError = error instanceof Error && 'syscall' in error;
    next(isSystemError ? error : new BadRequestError(adminMessages.uploadUnreadable));
  });
};

/**
 * An image for a post (the editor's upload, the API's): one file, field `file`, held in memory up
 * to `maxBytes` (the image limit; a few MB). Mount it after the checks of who is sending.
 */
export function imageUpload(maxBytes: number): RequestHandler {
  const receiveImage = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 20 },
  }).single('file');
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next(new UnsupportedMediaTypeError(adminMessages.uploadOnly));
    receiveImage(req, res, (error: unknown) => {
      if (!error) return next();
      if (error instanceof multer.MulterError) {
        return next(
          error.code === 'LIMIT_FILE_SIZE'
            ? new PayloadTooLargeError(mediaMessages.tooLarge(maxBytes / 1024 / 1024))
            : new BadRequestError(adminMessages.uploadUnreadable),
        );
      }
      next(error instanceof Error && 'syscall' in error ? error : new BadRequestError(adminMessages.uploadUnreadable));
    });
  };
}
