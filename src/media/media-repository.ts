import type { Database } from '../db/database';

/** An image as the site knows it, without its bytes. */
export interface MediaRecord {
  id: number;
  hash: string;
  name: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  createdAt: Date;
}

const recordFields = {
  id: true,
  hash: true,
  name: true,
  contentType: true,
  size: true,
  width: true,
  height: true,
  createdAt: true,
} as const;

export type MediaRepository = ReturnType<typeof createMediaRepository>;

/** Prisma access for uploaded images. */
export function createMediaRepository(db: Database) {
  return {
    /** Stores the image unless the same bytes are stored already; the stored record either way. */
    async store(image: Omit<MediaRecord, 'id' | 'createdAt'> & { bytes: Buffer }): Promise<MediaRecord> {
      const { bytes, ...fields } = image;
      return db.media.upsert({
        where: { hash: image.hash },
        create: { ...fields, bytes: new Uint8Array(bytes) },
        update: {},
        select: recordFields,
      });
    },

    /** The image whose hash begins with `hashPrefix` (its address's), with its bytes. */
    async findByHash(hashPrefix: string): Promise<(MediaRecord & { bytes: Uint8Array }) | null> {
      return db.media.findFirst({
        where: { hash: { startsWith: hashPrefix } },
        select: { ...recordFields, bytes: true },
      });
    },

    async findById(id: number): Promise<MediaRecord | null> {
      return db.media.findUnique({ where: { id }, select: recordFields });
    },

    /** Deletes the image; whether there was one. */
    async delete(id: number): Promise<boolean> {
      const { count } = await db.media.deleteMany({ where: { id } });
      return count === 1;
    },

    /** The newest images, for the editor's list. */
    async latest(limit: number): Promise<MediaRecord[]> {
      return db.media.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit, select: recordFields });
    },
  };
}
