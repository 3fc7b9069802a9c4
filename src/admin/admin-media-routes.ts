import { Router, type RequestHandler } from 'express';
import { BadRequestError } from '../errors';
import { wantsJson } from '../http/error-handler';
import type { MediaRecord } from '../media/media-repository';
import { markdownFor, mediaMessages, mediaPath, type MediaService } from '../media/media-service';
import { adminFormBody, numericId, redirectWithFlash, typedValues } from './admin-http';
import { safeAdminReturn } from './admin-schemas';
import { verifyAdminForm, verifyUploadOrigin } from './admin-session';
import { imageUpload } from './admin-upload';

/** An uploaded image as the editor and the API are told of it. */
export function mediaJson(media: MediaRecord, alt = '') {
  return {
    id: media.id,
    url: mediaPath(media),
    name: media.name,
    type: media.contentType,
    size: media.size,
    width: media.width,
    height: media.height,
    markdown: markdownFor(media, alt),
  };
}

/** The editor's image upload: JSON for its script, a redirect back with the line to paste without. */
export function createAdminMediaRouter({ media }: { media: MediaService }): Router {
  // POST /admin/media — multipart: file, alt (optional), return (the editor's address)
  const upload: RequestHandler = async (req, res, next) => {
    if (!req.file) throw new BadRequestError(mediaMessages.missing, { file: mediaMessages.missing });
    const stored = await media.upload({ originalName: req.file.originalname, bytes: req.file.buffer });
    const values = typedValues(req.body);
    const json = mediaJson(stored, values.alt ?? '');
    if (wantsJson(req)) return void res.status(201).json({ media: json });
    redirectWithFlash(
      req,
      res,
      next,
      safeAdminReturn(values.return),
      `Image uploaded. Put this line where it goes: ${json.markdown}`,
    );
  };

  // GET /admin/media/:id/delete — "Delete this image?", with where it may still be shown
  const confirmDelete: RequestHandler<{ id: string }> = async (req, res) => {
    const image = await media.get(numericId(req));
    res.render('admin/media-delete', {
      title: 'Delete image',
      image: mediaJson(image),
      returnTo: safeAdminReturn(typeof req.query.return === 'string' ? req.query.return : undefined),
    });
  };

  // POST /admin/media/:id/delete — delete it for good
  const deleteImage: RequestHandler<{ id: string }> = async (req, res, next) => {
    const image = await media.remove(numericId(req));
    redirectWithFlash(req, res, next, safeAdminReturn(typedValues(req.body).return), `Deleted ${image.name}.`);
  };

  const router = Router();
  router.post('/media', verifyUploadOrigin, imageUpload(media.maxBytes), verifyAdminForm, upload);
  router.get('/media/:id/delete', confirmDelete);
  router.post('/media/:id/delete', adminFormBody, verifyAdminForm, deleteImage);
  return router;
}
