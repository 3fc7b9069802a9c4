import { createHash } from 'node:crypto';
import path from 'node:path';
import { imageSize } from 'image-size';
import slugify from 'slugify';
import { NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';
import type { MediaRecord, MediaRepository } from './media-repository';

/** The image types a post may show, by what image-size reads in the bytes, with their MIME types. */
const imageTypes: Record<string, { contentType: string; extension: string }> = {
  jpg: { contentType: 'image/jpeg', extension: 'jpg' },
  png: { contentType: 'image/png', extension: 'png' },
  gif: { contentType: 'image/gif', extension: 'gif' },
  webp: { contentType: 'image/webp', extension: 'webp' },
  // image-size names AVIF (and HEIC) by their common container.
  heif: { contentType: 'image/avif', extension: 'avif' },
};

export const mediaMessages = {
  notAnImage:
    'That file is not an image marginalia can show: upload a JPEG, PNG, GIF, WebP or AVIF picture (its contents are checked, not its name).',
  tooLarge: (megabytes: number) =>
    `That image is larger than ${megabytes} MB. Please make it smaller and upload it again.`,
  missing: 'Choose an image to upload.',
  notFound: 'There is no image at this address.',
} as const;

/** An image's address here: its hash's first 16 characters, then its name. */
export const mediaPath = (media: Pick<MediaRecord, 'hash' | 'name'>): string =>
  `/media/${media.hash.slice(0, 16)}/${encodeURIComponent(media.name)}`;

/** The Markdown that shows the image in a post, alone in its paragraph. */
export function markdownFor(media: Pick<MediaRecord, 'hash' | 'name'>, alt: string): string {
  const text = alt.replace(/[\\[\]]/g, (character) => `\\${character}`);
  return `![${text}](${mediaPath(media)})`;
}

/** The image's type and size as its bytes say, or null when they are not an image's. */
function sizeOf(bytes: Buffer): ReturnType<typeof imageSize> | null {
  try {
    return imageSize(bytes);
  } catch {
    return null;
  }
}

export type MediaService = ReturnType<typeof createMediaService>;

/** Uploaded images: checked by their contents, stored once each, served by their hash. */
export function createMediaService({ repo, maxBytes }: { repo: MediaRepository; maxBytes: number }) {
  return {
    maxBytes,

    /** Stores an uploaded image; an UnsupportedMediaTypeError for anything that is not one we show. */
    async upload(upload: { originalName: string; bytes: Buffer }): Promise<MediaRecord> {
      if (upload.bytes.length > maxBytes)
        throw new PayloadTooLargeError(mediaMessages.tooLarge(maxBytes / 1024 / 1024));
      const size = sizeOf(upload.bytes);
      const type = size?.type ? imageTypes[size.type] : undefined;
      // A picture has a size: a header with nothing behind it (0 × 0) is not one.
      if (!size || !type || !size.width || !size.height) throw new UnsupportedMediaTypeError(mediaMessages.notAnImage);
      const base = slugify(path.parse(upload.originalName).name, { lower: true, strict: true }).slice(0, 80) || 'image';
      return repo.store({
        hash: createHash('sha256').update(upload.bytes).digest('hex'),
        name: `${base}.${type.extension}`,
        contentType: type.contentType,
        size: upload.bytes.length,
        width: size.width ?? null,
        height: size.height ?? null,
        bytes: upload.bytes,
      });
    },

    /** The image at /media/:hash/:name; a NotFoundError when there is none by that hash and name. */
    async find(hashPrefix: string, name: string): Promise<MediaRecord & { bytes: Uint8Array }> {
      const media = /^[0-9a-f]{16}$/.test(hashPrefix) ? await repo.findByHash(hashPrefix) : null;
      if (!media || media.name !== name) throw new NotFoundError(mediaMessages.notFound);
      return media;
    },

    latest: (limit = 12) => repo.latest(limit),

    /** The image with this id, or a NotFoundError. */
    async get(id: number): Promise<MediaRecord> {
      const media = await repo.findById(id);
      if (!media) throw new NotFoundError(mediaMessages.notFound);
      return media;
    },

    /** Deletes the image: its address answers 404 from then on (posts showing it show a broken picture). */
    async remove(id: number): Promise<MediaRecord> {
      const media = await this.get(id);
      if (!(await repo.delete(id))) throw new NotFoundError(mediaMessages.notFound);
      return media;
    },
  };
}
