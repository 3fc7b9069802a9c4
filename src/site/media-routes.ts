import { Router, type RequestHandler } from 'express';
import type { MediaService } from '../media/media-service';

/** Uploaded images, at addresses made of their hash: kept by browsers and CDNs for a year. */
export function createMediaRouter({ media }: { media: MediaService }): Router {
  // GET /media/:hash/:name
  const serve: RequestHandler<{ hash: string; name: string }> = async (req, res) => {
    const image = await media.find(req.params.hash, req.params.name);
    const etag = `"${image.hash}"`;
    res.set({
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: etag,
      // Only ever an image: nothing in it runs, even opened on its own.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      // Shown in feed readers and on other sites (a post quoted elsewhere), not only on this one.
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    if (req.headers['if-none-match'] === etag) return void res.status(304).end();
    res.type(image.contentType).send(Buffer.from(image.bytes));
  };

  const router = Router();
  router.get('/media/:hash/:name', serve);
  return router;
}
