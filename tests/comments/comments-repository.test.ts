import { buildCommentThreads, type CommentNode } from '../../src/comments/comment-threads';
import { createCommentsRepository, type CommentsRepository } from '../../src/comments/comments-repository';
import { addComment, addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The repository's SQL (the queries every page view and submission runs) against a real database,
// next to rows written by Prisma's own queries (the factories), whose dates it must read and
// compare exactly as Prisma writes them.

let ctx: TestContext;
let repo: CommentsRepository;
beforeAll(async () => {
  ctx = await buildTestApp();
  repo = createCommentsRepository(ctx.db);
});
afterAll(() => ctx.close());

const threaded = { threaded: true, ownIds: [] };
/** No earlier comment to compare with, and no flood check. */
const unchecked = { sender: { network: null, ownIds: [] }, floodSince: null };

const arriving = (postId: number, text: string) => ({
  postId,
  parentId: null,
  authorName: 'Ada Reader',
  authorEmail: 'ada@example.com',
  authorUrl: null,
  text,
  textHtml: `<p>${text}</p>`,
  ipAddress: '198.51.100.4',
  clientNetwork: '198.51.100.4',
  userAgent: 'test agent',
  status: 'pending' as const,
  statusNote: 'held for moderation',
  wantsReplies: false,
  spamScore: null,
  spamReasons: null,
});

describe('createUnlessRepeated', () => {
  it('stores every column and gives back only what a public page may show', async () => {
    const post = await addPost(ctx.db);
    const created = (
      await repo.createUnlessRepeated(
        arriving(post.id, 'Stored through the SQL insert.'),
        new Date(),
        unchecked,
        threaded,
      )
    )?.comment;
    if (!created) throw new Error('refused');
    expect(Object.keys(created).sort()).toEqual([
      'authorName',
      'authorUrl',
      'byPostAuthor',
      'createdAt',
      'erased',
      'id',
      'parentId',
      'repliesLocked',
      'status',
      'text',
      'textHtml',
    ]);
    expect(created).toMatchObject({
      authorName: 'Ada Reader',
      status: 'pending',
      text: 'Stored through the SQL insert.',
    });
    expect(Math.abs(created.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    const row = await ctx.db.comment.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({
      authorEmail: 'ada@example.com',
      ipAddress: '198.51.100.4',
      userAgent: 'test agent',
      arrivalNote: 'held for moderation',
    });
    expect(row.createdAt).toEqual(created.createdAt);
    expect(row.updatedAt).toEqual(created.createdAt);
  });

  it('counts, for a top-level comment, the threads shown before it: approved, with no parent or a parent the public cannot see', async () => {
    const post = await addPost(ctx.db);
    const top = await addComment(ctx.db, post.id);
    await addComment(ctx.db, post.id, { parentId: top.id });
    const held = await addComment(ctx.db, post.id, { status: 'pending' });
    await addComment(ctx.db, post.id, { parentId: held.id });
    await addComment(ctx.db, post.id, { status: 'trash' });
    await addComment(ctx.db, (await addPost(ctx.db)).id);
    const store = (text: string, status: 'approved' | 'pending', parentId: number | null = null) =>
      repo.createUnlessRepeated({ ...arriving(post.id, text), status, parentId }, new Date(), unchecked, threaded);
    expect((await store('A held thread.', 'pending'))?.threadsBefore).toBe(2);
    expect((await store('An approved thread.', 'approved'))?.threadsBefore).toBe(2);
    expect((await store('The next one.', 'pending'))?.threadsBefore).toBe(3);
    expect((await store('A reply.', 'approved', top.id))?.threadsBefore).toBeNull();
  });

  it('counts every other approved comment as a thread before any new one when threading is off', async () => {
    const post = await addPost(ctx.db);
    const top = await addComment(ctx.db, post.id);
    await addComment(ctx.db, post.id, { parentId: top.id });
    await addComment(ctx.db, post.id, { status: 'pending' });
    const reply = await repo.createUnlessRepeated(
      { ...arriving(post.id, 'A flat reply.'), parentId: top.id },
      new Date(),
      unchecked,
      {
        threaded: false,
        ownIds: [],
      },
    );
    expect(reply?.threadsBefore).toBe(2);
  });

  it('places a new thread before comments dated after it (an import from the future), as the page lists them', async () => {
    const post = await addPost(ctx.db);
    await addComment(ctx.db, post.id, { createdAt: new Date(Date.now() - 60_000) });
    await addComment(ctx.db, post.id, { createdAt: new Date(Date.now() + 3_600_000) });
    const stored = await repo.createUnlessRepeated(
      { ...arriving(post.id, 'Now.'), status: 'approved' },
      new Date(),
      unchecked,
      threaded,
    );
    expect(stored?.threadsBefore).toBe(1);
  });

  it('places a new thread as the page lists it, in every view of an awkward post, held or approved', async () => {
    for (const status of ['pending', 'approved'] as const) {
      const { post, ownIdSets } = await awkwardPost();
      for (const threadedView of [true, false]) {
        for (const ownIds of ownIdSets) {
          const stored = await repo.createUnlessRepeated(
            { ...arriving(post.id, `New, ${status}, ${String(ownIds)}, ${threadedView}`), status },
            new Date(),
            unchecked,
            { threaded: threadedView, ownIds },
          );
          if (!stored) throw new Error('refused');
          const visible = await repo.listVisibleForPost(post.id, [...ownIds, stored.comment.id]);
          const threads = buildCommentThreads(visible, threadedView ? 3 : 1);
          const view = { status, threadedView, ownIds };
          expect({ view, before: stored.threadsBefore }).toEqual({
            view,
            before: threads.findIndex((node) => node.id === stored.comment.id),
          });
          await ctx.db.comment.delete({ where: { id: stored.comment.id } });
        }
      }
    }
  });

  it('stores nothing and gives back null for the same words from the same sender, trash aside', async () => {
    const post = await addPost(ctx.db);
    const sender = { network: '198.51.100.4', ownIds: [] };
    await addComment(ctx.db, post.id, {
      text: 'Said before.',
      ipAddress: '198.51.100.4',
      clientNetwork: '198.51.100.4',
    });
    await addComment(ctx.db, post.id, { text: 'Binned before.', clientNetwork: '198.51.100.4', status: 'trash' });
    const checks = { sender, floodSince: null };
    expect(await repo.createUnlessRepeated(arriving(post.id, 'Said before.'), new Date(), checks, threaded)).toBeNull();
    expect(await ctx.db.comment.count({ where: { postId: post.id, text: 'Said before.' } })).toBe(1);
    expect(
      await repo.createUnlessRepeated(arriving(post.id, 'Binned before.'), new Date(), checks, threaded),
    ).not.toBeNull();
  });

  it('stores nothing and gives back null when the sender commented since `floodSince`, from their network or browser', async () => {
    const post = await addPost(ctx.db);
    const now = Date.now();
    const earlier = await addComment(ctx.db, post.id, {
      clientNetwork: '192.0.2.90',
      createdAt: new Date(now - 5_000),
    });
    const since = new Date(now - 15_000);
    const sameNetwork = { sender: { network: '192.0.2.90', ownIds: [] }, floodSince: since };
    const sameBrowser = { sender: { network: '192.0.2.91', ownIds: [earlier.id] }, floodSince: since };
    const elsewhere = { sender: { network: '192.0.2.92', ownIds: [] }, floodSince: since };
    expect(
      await repo.createUnlessRepeated(arriving(post.id, 'Again, same network.'), new Date(), sameNetwork, threaded),
    ).toBeNull();
    expect(
      await repo.createUnlessRepeated(arriving(post.id, 'Again, same browser.'), new Date(), sameBrowser, threaded),
    ).toBeNull();
    expect(await ctx.db.comment.count({ where: { postId: post.id } })).toBe(1);
    expect(
      await repo.createUnlessRepeated(arriving(post.id, 'Someone else.'), new Date(), elsewhere, threaded),
    ).not.toBeNull();
    const later = { ...sameNetwork, floodSince: new Date(now - 1_000) };
    expect(
      await repo.createUnlessRepeated(arriving(post.id, 'Again, later.'), new Date(), later, threaded),
    ).not.toBeNull();
  });
});

describe('listVisibleForPost', () => {
  it('lists approved comments oldest first, the viewer’s own held ones among them, nobody else’s', async () => {
    const post = await addPost(ctx.db);
    const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 12, minute));
    const second = await addComment(ctx.db, post.id, { text: 'second', createdAt: at(2) });
    const first = await addComment(ctx.db, post.id, { text: 'first', createdAt: at(1) });
    const own = await addComment(ctx.db, post.id, { text: 'own, held', status: 'pending', createdAt: at(3) });
    await addComment(ctx.db, post.id, { text: 'someone else’s, held', status: 'pending', createdAt: at(4) });
    await addComment(ctx.db, post.id, { text: 'spam', status: 'spam', createdAt: at(5) });
    expect((await repo.listVisibleForPost(post.id)).map((c) => c.text)).toEqual(['first', 'second']);
    const withOwn = await repo.listVisibleForPost(post.id, [own.id]);
    expect(withOwn.map((c) => [c.id, c.status])).toEqual([
      [first.id, 'approved'],
      [second.id, 'approved'],
      [own.id, 'pending'],
    ]);
    expect(withOwn[0]!.createdAt).toEqual(at(1));
    expect(Object.keys(withOwn[0]!)).not.toContain('authorEmail');
  });
});

/**
 * A post built to be awkward for thread placement: held, binned and spam comments, replies under
 * hidden parents, a reply older than its parent, and a parent on another post. With the sets of
 * own comments of its readers: authors of held, spam and binned comments, and one with a comment
 * of another post.
 */
async function awkwardPost() {
  const post = await addPost(ctx.db);
  const other = await addPost(ctx.db);
  const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 12, minute));
  const add = (minute: number, overrides: Parameters<typeof addComment>[2] = {}) =>
    addComment(ctx.db, post.id, { createdAt: at(minute), ...overrides });
  const first = await add(0);
  const held = await add(1, { status: 'pending' });
  const reply = await add(2, { parentId: first.id });
  const replyToHeld = await add(3, { parentId: held.id });
  const deep = await add(4, { parentId: reply.id });
  await add(5, { parentId: deep.id });
  const binned = await add(6, { status: 'trash' });
  const heldUnderBinned = await add(7, { parentId: binned.id, status: 'pending' });
  await add(8, { parentId: replyToHeld.id });
  const late = await add(12);
  await add(9, { parentId: late.id });
  const elsewhere = await addComment(ctx.db, other.id, { createdAt: at(0) });
  await add(10, { parentId: elsewhere.id });
  const spam = await add(11, { status: 'spam', parentId: first.id });
  const heldReply = await add(13, { parentId: late.id, status: 'pending' });
  const heldUnderHeld = await add(14, { parentId: held.id, status: 'pending' });
  const everyComment = (await ctx.db.comment.findMany({ where: { postId: post.id }, select: { id: true } })).map(
    ({ id }) => id,
  );
  expect(everyComment).toHaveLength(15);
  const ownIdSets = [
    [],
    [held.id],
    [held.id, heldUnderHeld.id, heldReply.id],
    [spam.id, heldUnderBinned.id],
    [binned.id],
    [elsewhere.id, held.id],
  ];
  return { post, everyComment, ownIdSets };
}

describe('countThreadsBefore', () => {
  it('agrees with the threads the page builds, for every comment and every view of the post', async () => {
    const { post, everyComment, ownIdSets } = await awkwardPost();
    for (const threaded of [true, false]) {
      for (const ownIds of ownIdSets) {
        const threads = buildCommentThreads(await repo.listVisibleForPost(post.id, ownIds), threaded ? 3 : 1);
        for (const id of everyComment) {
          const contains = (node: CommentNode): boolean => node.id === id || node.replies.some(contains);
          const index = threads.findIndex(contains);
          const view = { postId: post.id, ownIds, threaded };
          expect({ view, id, before: await repo.countThreadsBefore(view, id) }).toEqual({
            view,
            id,
            before: index < 0 ? null : index,
          });
        }
      }
    }
  });

  it('counts the author’s own comments awaiting moderation among the threads before a new one', async () => {
    const post = await addPost(ctx.db);
    await addComment(ctx.db, post.id, { createdAt: new Date(Date.now() - 60_000) });
    const held = await addComment(ctx.db, post.id, { status: 'pending', createdAt: new Date(Date.now() - 30_000) });
    await addComment(ctx.db, post.id, { status: 'pending', createdAt: new Date(Date.now() - 20_000) });
    const stored = await repo.createUnlessRepeated(arriving(post.id, 'My second.'), new Date(), unchecked, {
      threaded: true,
      ownIds: [held.id],
    });
    expect(stored?.threadsBefore).toBe(2);
  });
});

describe('listThreadsOfView and countThreads (a long post’s page read alone)', () => {
  it('give the threads and counts the page builds from the whole post, for every view and page size', async () => {
    const { post, ownIdSets } = await awkwardPost();
    for (const threaded of [true, false]) {
      for (const ownIds of ownIdSets) {
        const view = { postId: post.id, ownIds, threaded };
        const visible = await repo.listVisibleForPost(post.id, ownIds);
        const threads = buildCommentThreads(visible, threaded ? 3 : 1);
        const approved = visible.filter((comment) => comment.status === 'approved').length;
        expect({ view, counts: await repo.countThreads(view) }).toEqual({
          view,
          counts: { threads: threads.length, approved },
        });
        for (const perPage of [1, 2, 3, 50]) {
          for (let offset = 0; offset < threads.length + perPage; offset += perPage) {
            const page = buildCommentThreads(await repo.listThreadsOfView(view, offset, perPage), threaded ? 3 : 1);
            expect({ view, perPage, offset, page }).toEqual({
              view,
              perPage,
              offset,
              page: threads.slice(offset, offset + perPage),
            });
          }
        }
      }
    }
  });
});

describe('hasDuplicate', () => {
  it('finds the same words from the same sender (network or browser) on the same post, trash aside', async () => {
    const post = await addPost(ctx.db);
    const other = await addPost(ctx.db);
    const said = await addComment(ctx.db, post.id, { text: 'Said once.', clientNetwork: '192.0.2.5' });
    await addComment(ctx.db, post.id, { text: 'Thrown away.', clientNetwork: '192.0.2.5', status: 'trash' });
    const network = { network: '192.0.2.5', ownIds: [] };
    expect(await repo.hasDuplicate(post.id, 'Said once.', network)).toBe(true);
    expect(await repo.hasDuplicate(post.id, 'Said once.', { network: '192.0.2.6', ownIds: [said.id] })).toBe(true);
    expect(await repo.hasDuplicate(post.id, 'Said once', network)).toBe(false);
    expect(await repo.hasDuplicate(other.id, 'Said once.', network)).toBe(false);
    expect(await repo.hasDuplicate(post.id, 'Said once.', { network: '192.0.2.6', ownIds: [] })).toBe(false);
    expect(await repo.hasDuplicate(post.id, 'Said once.', { network: null, ownIds: [] })).toBe(false);
    expect(await repo.hasDuplicate(post.id, 'Thrown away.', network)).toBe(false);
  });

  it('tells texts apart that share their first 64 characters and length', async () => {
    const post = await addPost(ctx.db);
    const start = 'x'.repeat(64);
    await addComment(ctx.db, post.id, { text: `${start}-a`, clientNetwork: '192.0.2.7' });
    const network = { network: '192.0.2.7', ownIds: [] };
    expect(await repo.hasDuplicate(post.id, `${start}-b`, network)).toBe(false);
    expect(await repo.hasDuplicate(post.id, `${start}-a`, network)).toBe(true);
  });
});

describe('lastCommentTime', () => {
  it('finds the sender’s latest comment since a moment, compared as Prisma stores dates', async () => {
    const post = await addPost(ctx.db);
    const now = Date.now();
    const created = (
      await repo.createUnlessRepeated(
        { ...arriving(post.id, 'Recent.'), clientNetwork: '192.0.2.77' },
        new Date(),
        unchecked,
        threaded,
      )
    )?.comment;
    if (!created) throw new Error('refused');
    const older = await addComment(ctx.db, post.id, {
      clientNetwork: '192.0.2.78',
      createdAt: new Date(now - 120_000),
    });
    const since = new Date(now - 60_000);
    expect(await repo.lastCommentTime({ network: '192.0.2.77', ownIds: [] }, since)).toEqual(created.createdAt);
    expect(await repo.lastCommentTime({ network: null, ownIds: [created.id] }, since)).toEqual(created.createdAt);
    expect(await repo.lastCommentTime({ network: '192.0.2.79', ownIds: [] }, since)).toBeNull();
    expect(await repo.lastCommentTime({ network: null, ownIds: [] }, since)).toBeNull();
    expect(await repo.lastCommentTime({ network: '192.0.2.78', ownIds: [] }, since)).toBeNull();
    expect(await repo.lastCommentTime({ network: null, ownIds: [older.id] }, new Date(now - 180_000))).toEqual(
      new Date(now - 120_000),
    );
    expect(
      await repo.lastCommentTime({ network: '192.0.2.77', ownIds: [] }, new Date(created.createdAt.getTime() + 1)),
    ).toBeNull();
  });
});
