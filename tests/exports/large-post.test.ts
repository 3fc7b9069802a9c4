import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createExportsRepository } from '../../src/exports/exports-repository';
import { writeJsonExport } from '../../src/exports/export-writers';
import { addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Found by `npm run bench -- --postgres`, which moves the bench's database with `npm run export`:
// a post with more comments than Prisma binds in one SQLite statement (999) could not be exported, its
// comments' histories being read in one query naming every comment.

let ctx: TestContext;
let dir: string;
beforeAll(async () => {
  ctx = await buildTestApp();
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-large-export-'));
});
afterAll(async () => {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
});

it('exports a post of 2,500 comments, each with its history', async () => {
  const post = await addPost(ctx.db);
  const at = new Date('2026-03-01T00:00:00Z').getTime();
  const comments = Array.from({ length: 2_500 }, (_, n) => ({
    postId: post.id,
    authorName: `Reader ${n}`,
    authorEmail: `reader${n}@example.com`,
    text: `Comment number ${n}`,
    textHtml: `<p>Comment number ${n}</p>`,
    status: 'approved',
    createdAt: new Date(at + n * 1000),
  }));
  await ctx.db.comment.createMany({ data: comments });
  const [first, last] = await Promise.all([
    ctx.db.comment.findFirstOrThrow({ orderBy: { id: 'asc' } }),
    ctx.db.comment.findFirstOrThrow({ orderBy: { id: 'desc' } }),
  ]);
  await ctx.db.commentStatusChange.createMany({
    data: [first, last].map((comment) => ({
      commentId: comment.id,
      fromStatus: 'pending',
      toStatus: 'approved',
      actor: 'api',
    })),
  });

  const file = path.join(dir, 'large.jsonl');
  expect(await writeJsonExport(createExportsRepository(ctx.db), file)).toEqual({ posts: 1, comments: 2_500 });
  const exported = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; text: string; statusChanges: unknown[] })
    .filter((record) => record.type === 'comment');
  expect(exported[0]).toMatchObject({ text: 'Comment number 0', statusChanges: [{ toStatus: 'approved' }] });
  expect(exported.at(-1)).toMatchObject({ text: 'Comment number 2499', statusChanges: [{ toStatus: 'approved' }] });
  expect(exported.filter((comment) => comment.statusChanges.length > 0)).toHaveLength(2);
});
