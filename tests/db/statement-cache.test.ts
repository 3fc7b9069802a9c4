import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PrismaClient } from '../../src/generated/prisma/client';
import { ConflictError } from '../../src/errors';
import { applyMigrations } from '../../src/db/migrations';
import { SqliteAdapterFactory } from '../../src/db/sqlite-adapter';
import { addPost } from '../helpers/factories';

let dir: string;
let factory: SqliteAdapterFactory;
let db: PrismaClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-statements-'));
  const file = path.join(dir, 'statements.db');
  await applyMigrations(file);
  factory = new SqliteAdapterFactory(file, { busyTimeoutMs: 1_000 });
  db = new PrismaClient({ adapter: factory });
});
afterAll(async () => {
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('the compiled-statement cache under Prisma', () => {
  it('compiles a query once and runs each call with its own arguments', async () => {
    const square = (n: number) => db.$queryRawUnsafe<{ square: number }[]>('SELECT ? * ? AS square', n, n);
    const compiledBefore = factory.compiledStatementCount();
    expect(await square(3)).toEqual([{ square: 9 }]);
    const compiled = factory.compiledStatementCount();
    expect(compiled).toBe(compiledBefore + 1);
    expect(await square(4)).toEqual([{ square: 16 }]);
    expect(await square(5)).toEqual([{ square: 25 }]);
    expect(factory.compiledStatementCount()).toBe(compiled);
  });

  it('reads what was written since the statement was compiled', async () => {
    const count = () => db.post.count();
    const before = await count();
    await addPost(db);
    await addPost(db);
    expect(await count()).toBe(before + 2);
  });

  it('still reports a failed write by its Prisma code, and the statement works after it', async () => {
    const post = await addPost(db);
    // The posts repository turns P2002 into a ConflictError; any other error would pass through.
    await expect(addPost(db, { slug: post.slug })).rejects.toBeInstanceOf(ConflictError);
    const next = await addPost(db, { slug: `${post.slug}-second` });
    expect(await db.post.findUnique({ where: { id: next.id }, select: { slug: true } })).toEqual({
      slug: `${post.slug}-second`,
    });
  });

  it('compiles PRAGMA and EXPLAIN afresh each time, since their answer is fixed when compiled', async () => {
    const compiled = factory.compiledStatementCount();
    await db.$queryRawUnsafe('PRAGMA journal_mode');
    await db.$queryRawUnsafe('EXPLAIN QUERY PLAN SELECT id FROM Post WHERE slug = ?', 'x');
    expect(factory.compiledStatementCount()).toBe(compiled);
  });

  it('runs a transaction’s statements from the cache and keeps its rollback', async () => {
    const before = await db.post.count();
    const rolledBack = db.$transaction(async (tx) => {
      await addPost(tx as unknown as PrismaClient);
      throw new Error('undo');
    });
    await expect(rolledBack).rejects.toThrow('undo');
    expect(await db.post.count()).toBe(before);
  });
});
