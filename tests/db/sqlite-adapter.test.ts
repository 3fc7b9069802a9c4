import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../../src/generated/prisma/client';
import { openDatabase, type Database } from '../../src/db/database';
import { isDatabaseBusy } from '../../src/db/database-errors';
import { ConflictError } from '../../src/errors';
import { addPost } from '../helpers/factories';
import { holdWriteLock } from '../helpers/lock-holder';

// The one connection every request shares (src/db/sqlite-adapter.ts): writes sent outside a
// transaction are committed together, a batch per turn of the event loop, and no statement sent
// outside a transaction runs inside one. On the server's own stack of adapters, as openDatabase
// builds it.

let dir: string;
let file: string;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-shared-'));
  file = path.join(dir, 'shared.db');
  ({ db } = await openDatabase({ location: { engine: 'sqlite', file }, busyTimeoutMs: 2_000 }));
});
afterAll(async () => {
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** Pages SQLite appended to the write-ahead log while `work` ran (the log emptied first). */
async function logPagesWrittenBy(work: () => Promise<unknown>): Promise<number> {
  await db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
  await work();
  // A log file is a 32-byte header, then a 24-byte header and one 4 KiB page per frame.
  return (statSync(`${file}-wal`).size - 32) / (24 + 4096);
}

describe('writes committed together', () => {
  it('commits the writes sent together as one, answering each with its own row', async () => {
    const together = await logPagesWrittenBy(async () => {
      const posts = await Promise.all(Array.from({ length: 20 }, (_, n) => addPost(db, { slug: `together-${n}` })));
      expect(posts.map((post) => post.slug)).toEqual(Array.from({ length: 20 }, (_, n) => `together-${n}`));
      expect(new Set(posts.map((post) => post.id)).size).toBe(20);
    });
    const oneByOne = await logPagesWrittenBy(async () => {
      for (let n = 0; n < 20; n += 1) await addPost(db, { slug: `one-by-one-${n}` });
    });
    // Each commit appends every page its write touched (the row's and each index's); twenty
    // commits write them twenty times, one commit once.
    expect(together * 5).toBeLessThan(oneByOne);
    const stored = await db.post.findMany({ where: { slug: { startsWith: 'together-' } }, select: { id: true } });
    expect(stored).toHaveLength(20);
  });

  it('leaves SQLite’s automatic checkpoint to keep the log bounded', async () => {
    // SQLite checkpoints once a commit takes the log past 1,000 pages, and only when that commit
    // is stepped to its end: a write ended by resetting its statement (better-sqlite3’s get())
    // skips it, and the log then grows without end. Here 400 commits append ~2,000 pages.
    const appendedByOne = await logPagesWrittenBy(() => addPost(db, { slug: 'bounded-log-0' }));
    expect(appendedByOne * 400).toBeGreaterThan(1_500);
    const logPages = await logPagesWrittenBy(async () => {
      for (let n = 1; n <= 400; n += 1) await addPost(db, { slug: `bounded-log-${n}` });
    });
    expect(logPages).toBeLessThan(1_100);
  });

  it('refuses only the write a constraint refuses; the others sent with it are stored', async () => {
    const taken = await addPost(db);
    const results = await Promise.allSettled([
      addPost(db, { slug: 'beside-a-conflict-1' }),
      addPost(db, { slug: taken.slug }),
      addPost(db, { slug: 'beside-a-conflict-2' }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(await db.post.count({ where: { slug: { startsWith: 'beside-a-conflict-' } } })).toBe(2);
  });

  it('fails every write of a batch that SQLite rolled back whole, keeping none of them', async () => {
    // RAISE(ROLLBACK) in a trigger ends the whole transaction, as a full disk or an I/O error can.
    await db.$executeRawUnsafe('CREATE TABLE Note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
    await db.$executeRawUnsafe(
      "CREATE TRIGGER NoteRefused BEFORE INSERT ON Note WHEN NEW.text = 'refused' BEGIN SELECT RAISE(ROLLBACK, 'refused'); END",
    );
    const note = (text: string) => db.$executeRawUnsafe('INSERT INTO Note (text) VALUES (?)', text);
    const results = await Promise.allSettled([note('before'), note('refused'), note('after')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await db.$queryRawUnsafe('SELECT text FROM Note')).toEqual([]);
    // The connection is left with no transaction open: the next write stands on its own.
    await note('later');
    expect(await db.$queryRawUnsafe('SELECT text FROM Note')).toEqual([{ text: 'later' }]);
  });
});

describe('values', () => {
  // Migrations and backups read the file through Prisma's own better-sqlite3 adapter, and older
  // databases were written by it: both must store and read every type the same way.
  it('stores and reads each type as Prisma’s own SQLite adapter does, both ways', async () => {
    const stock = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file }) });
    try {
      const ours = await addPost(db, { commentsOpen: false, publishedAt: new Date('2026-03-04T05:06:07.089Z') });
      const theirs = await addPost(stock, { publishedAt: new Date('2026-03-04T05:06:07.089Z') });
      for (const id of [ours.id, theirs.id]) {
        const [mine, stocks] = await Promise.all([
          db.post.findUniqueOrThrow({ where: { id } }),
          stock.post.findUniqueOrThrow({ where: { id } }),
        ]);
        expect(mine).toEqual(stocks);
      }
      expect(await db.post.findUniqueOrThrow({ where: { id: ours.id } })).toMatchObject({
        commentsOpen: false,
        publishedAt: new Date('2026-03-04T05:06:07.089Z'),
      });
      // Raw SQL compares dates as text: both write the same text.
      const texts = await db.$queryRawUnsafe<{ publishedAt: string }[]>(
        'SELECT CAST(publishedAt AS TEXT) AS publishedAt FROM Post WHERE id IN (?, ?)',
        ours.id,
        theirs.id,
      );
      expect(new Set(texts.map((row) => row.publishedAt))).toEqual(new Set(['2026-03-04T05:06:07.089+00:00']));
    } finally {
      await stock.$disconnect();
    }
  });

  it('reads integers past 2^53 whole, as Prisma’s BigInt', async () => {
    const [row] = await db.$queryRawUnsafe<{ big: bigint }[]>('SELECT 9007199254740993 AS big');
    expect(row?.big).toBe(9007199254740993n);
  });

  it('answers a write sent with others with the count of rows it changed', async () => {
    await Promise.all(['counted-1', 'counted-2', 'counted-3'].map((slug) => addPost(db, { slug })));
    const [renamed, none] = await Promise.all([
      db.$executeRawUnsafe("UPDATE Post SET title = 'Counted' WHERE slug LIKE 'counted-%'"),
      db.$executeRawUnsafe("UPDATE Post SET title = 'Nobody' WHERE slug = 'no-such-post'"),
    ]);
    expect([renamed, none]).toEqual([3, 0]);
  });
});

describe('a transaction open on the connection', () => {
  /** Opens a transaction that writes a post, then waits, then rolls back; resolves once the post is written. */
  async function openTransactionWriting(slug: string): Promise<{ rolledBack: Promise<unknown> }> {
    let written!: () => void;
    const ready = new Promise<void>((resolve) => (written = resolve));
    const rolledBack = db.$transaction(async (tx) => {
      await addPost(tx as unknown as Database, { slug });
      written();
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('undo');
    });
    await ready;
    return { rolledBack: expect(rolledBack).rejects.toThrow('undo') };
  }

  it('takes in no write sent meanwhile: the write is stored although the transaction rolls back', async () => {
    const { rolledBack } = await openTransactionWriting('inside-a-transaction');
    const outside = await addPost(db, { slug: 'written-outside-the-transaction' });
    await rolledBack;
    expect(
      await db.post.findMany({
        where: { slug: { in: ['inside-a-transaction', outside.slug] } },
        select: { slug: true },
      }),
    ).toEqual([{ slug: 'written-outside-the-transaction' }]);
  });

  it('makes a query sent through the shared client from inside it wait for it, until its timeout ends it', async () => {
    const misused = db.$transaction(
      async (tx) => {
        await tx.post.count();
        return db.post.count();
      },
      { timeout: 300 },
    );
    await expect(misused).rejects.toMatchObject({ code: 'P2028' });
    // The connection is free again afterwards.
    expect(await db.post.count()).toBeGreaterThanOrEqual(0);
  });

  it('takes in no read sent meanwhile: the read never sees what the transaction then undoes', async () => {
    const { rolledBack } = await openTransactionWriting('seen-by-no-one');
    const read = await db.post.findMany({ where: { slug: 'seen-by-no-one' }, select: { slug: true } });
    await rolledBack;
    expect(read).toEqual([]);
  });
});

describe('writes waiting for another process’s lock', () => {
  it('each gives up when its own busy timeout has passed, not after the waits of the batches ahead of it', async () => {
    const busyTimeoutMs = 600;
    const second = await openDatabase({ location: { engine: 'sqlite', file }, busyTimeoutMs });
    const lock = await holdWriteLock(file, 'until-released');
    try {
      const start = Date.now();
      // Four batches, each sent 150 ms after the one before and queued behind it.
      const refusedAfter = await Promise.all(
        [0, 150, 300, 450].map(async (delay) => {
          await new Promise((resolve) => setTimeout(resolve, delay));
          const error: unknown = await addPost(second.db).then(
            () => null,
            (refusal: unknown) => refusal,
          );
          expect(isDatabaseBusy(error)).toBe(true);
          return Date.now() - start;
        }),
      );
      // Each waits up to 600 ms from when it was sent: the last is refused by about 1,050 ms,
      // where waits counted from the end of the one before would add up to over 2,000.
      expect(Math.max(...refusedAfter)).toBeLessThan(1_700);
    } finally {
      await lock.release();
      await second.db.$disconnect();
    }
  });
});
