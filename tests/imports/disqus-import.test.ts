import request from 'supertest';
import { importDisqus } from '../../src/imports/disqus-import';
import { importWordPress } from '../../src/imports/wordpress-import';
import { importFixture } from '../helpers/import-fixtures';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await buildTestApp();
});
afterEach(() => ctx.close());

describe('importing a Disqus export', () => {
  it('puts each thread’s comments on the post with its address (after a WordPress import), keeps statuses and replies, reports orphans', async () => {
    await importWordPress(ctx.db, importFixture('wxr-1.2.xml'));
    const before = await ctx.db.comment.count({ where: { post: { slug: 'frost-on-the-reeds' } } });
    const report = await importDisqus(ctx.db, importFixture('disqus.xml'));
    expect(report).toEqual({
      format: 'disqus',
      version: 'Disqus XML',
      dryRun: false,
      dropped: {},
      posts: { created: 1, alreadyImported: 1 },
      terms: { categories: 0, tags: 0 },
      comments: { created: { approved: 3, pending: 0, spam: 1, trash: 1 }, alreadyImported: 0 },
      skipped: {},
      // 7005's parent (6999) is not in the file: the top level.
      reattachedReplies: 1,
      spamFilterLearned: 0,
      renamedSlugs: [],
      orphans: ['7006'],
      errors: [],
    });

    const frost = await ctx.db.comment.findMany({
      where: { post: { slug: 'frost-on-the-reeds' }, sourceId: { startsWith: 'disqus:' } },
      orderBy: { createdAt: 'asc' },
    });
    expect(frost).toHaveLength(4);
    const [lin, mo, del, prize] = frost;
    expect(lin).toMatchObject({
      authorName: 'Lin',
      authorEmail: 'lin@example.com',
      ipAddress: '198.51.100.30',
      status: 'approved',
      parentId: null,
      text: 'First!\nWith a link (https://frost.example).',
    });
    // It came first in the file; it is still a reply to Lin. No email in the export: none here.
    expect(mo).toMatchObject({
      authorName: 'Mo',
      authorEmail: '',
      parentId: lin!.id,
      text: 'A reply that comes first in the file — ça va?',
      createdAt: new Date('2025-01-16T10:00:00Z'),
    });
    expect(del).toMatchObject({ status: 'trash' });
    expect(prize).toMatchObject({ status: 'spam' });
    expect(await ctx.db.comment.count({ where: { post: { slug: 'frost-on-the-reeds' } } })).toBe(before + 4);

    // The thread WordPress never had becomes a post of its own (closed, as it was).
    const page = await ctx.db.post.findUniqueOrThrow({
      where: { slug: 'a-page-only-disqus-knew' },
      include: { comments: true },
    });
    expect(page).toMatchObject({
      title: 'A page only Disqus knew',
      commentsOpen: false,
      sourceId: 'disqus:fieldnotes#thread-5002',
    });
    expect(page.comments).toEqual([expect.objectContaining({ authorName: 'Old Timer', parentId: null })]);
    expect(await ctx.db.comment.count({ where: { authorName: 'Lost' } })).toBe(0);

    const html = (await request(ctx.app).get('/posts/frost-on-the-reeds').expect(200)).text;
    expect(html).toContain('A reply that comes first in the file');
    expect(html).not.toContain('Win a prize');
  });

  it('is idempotent, and a dry run writes nothing', async () => {
    const dry = await importDisqus(ctx.db, importFixture('disqus.xml'), { dryRun: true });
    expect(dry.comments.created.approved).toBe(3);
    expect(await ctx.db.comment.count()).toBe(0);
    await importDisqus(ctx.db, importFixture('disqus.xml'));
    const counts = { posts: await ctx.db.post.count(), comments: await ctx.db.comment.count() };
    const again = await importDisqus(ctx.db, importFixture('disqus.xml'));
    expect(again).toMatchObject({
      posts: { created: 0, alreadyImported: 2 },
      comments: { created: { approved: 0, spam: 0, trash: 0 }, alreadyImported: 5 },
    });
    expect({ posts: await ctx.db.post.count(), comments: await ctx.db.comment.count() }).toEqual(counts);
  });

  it('refuses a file that is not a Disqus export', async () => {
    await expect(importDisqus(ctx.db, importFixture('wxr-1.0.xml'))).rejects.toThrow(
      'is not a Disqus export: its root element is <rss>',
    );
  });
});
