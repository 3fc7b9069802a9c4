import { buildCommentThreads } from '../../src/comments/comment-threads';
import { createCommentsRepository } from '../../src/comments/comments-repository';
import type { CommentStatus } from '../../src/shared/comment-status';
import { addComment, addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Each post keeps how many of its comments are approved and how many of those head a thread, by
// triggers, so that placing a comment or counting a long post's pages costs the same on any post.
// Whatever happens to comments (added, approved, unapproved, moved under another parent,
// deleted, by the app or by anything else writing to the database), the counts must be what
// counting the comments gives.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(() => ctx.close());

let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const statuses: CommentStatus[] = ['approved', 'approved', 'approved', 'pending', 'spam', 'trash'];

/** What counting the comments gives: the approved ones, and the threads the public page shows. */
async function counted(postId: number) {
  const visible = await createCommentsRepository(ctx.db).listVisibleForPost(postId);
  return { approvedComments: visible.length, approvedThreads: buildCommentThreads(visible, 5).length };
}

async function kept(postId: number) {
  return ctx.db.post.findUniqueOrThrow({
    where: { id: postId },
    select: { approvedComments: true, approvedThreads: true },
  });
}

it('stay what counting gives, through 300 random changes to two posts’ comments', async () => {
  const posts = [await addPost(ctx.db), await addPost(ctx.db)];
  const start = Date.UTC(2026, 3, 1);
  const ids = new Map<number, number[]>(posts.map((post) => [post.id, []]));
  const someComment = (postId: number) => pick(ids.get(postId)!.length ? ids.get(postId)! : [0]);
  for (let step = 0; step < 300; step += 1) {
    const post = pick(posts);
    const mine = ids.get(post.id)!;
    const action = mine.length < 5 ? 'add' : pick(['add', 'add', 'status', 'status', 'parent', 'delete']);
    const id = pick(mine);
    if (action === 'add') {
      // A parent in this post, in the other one, or none; dated any time, before or after it.
      const parentPost = random() < 0.8 ? post.id : pick(posts).id;
      const parent = random() < 0.7 ? someComment(parentPost) : 0;
      const created = await addComment(ctx.db, post.id, {
        status: pick(statuses),
        parentId: parent || null,
        createdAt: new Date(start + Math.floor(random() * 120) * 60_000),
      });
      mine.push(created.id);
    } else if (action === 'status') {
      await ctx.db.comment.update({ where: { id }, data: { status: pick(statuses) } });
    } else if (action === 'parent') {
      const parent = random() < 0.3 ? 0 : someComment(post.id);
      await ctx.db.comment.update({ where: { id }, data: { parentId: parent && parent !== id ? parent : null } });
    } else {
      await ctx.db.comment.delete({ where: { id } });
      mine.splice(mine.indexOf(id), 1);
    }
    for (const each of posts) {
      expect({ step, action, post: each.id, counts: await kept(each.id) }).toEqual({
        step,
        action,
        post: each.id,
        counts: await counted(each.id),
      });
    }
  }
});

it('follow a moderator’s bulk action and a comment posted through the form', async () => {
  const post = await addPost(ctx.db);
  const first = await addComment(ctx.db, post.id, { status: 'pending' });
  await addComment(ctx.db, post.id, { parentId: first.id });
  await addComment(ctx.db, post.id, { parentId: first.id, status: 'pending' });
  expect(await kept(post.id)).toEqual(await counted(post.id));
  await ctx.db.comment.updateMany({ where: { postId: post.id }, data: { status: 'approved' } });
  expect(await kept(post.id)).toEqual({ approvedComments: 3, approvedThreads: 1 });
  await ctx.db.comment.updateMany({ where: { postId: post.id, parentId: null }, data: { status: 'trash' } });
  expect(await kept(post.id)).toEqual({ approvedComments: 2, approvedThreads: 2 });
  await ctx.db.comment.deleteMany({ where: { postId: post.id } });
  expect(await kept(post.id)).toEqual({ approvedComments: 0, approvedThreads: 0 });
});

it('follow many comments stored in one statement, threads and all (as an import stores them)', async () => {
  const post = await addPost(ctx.db);
  const parent = await addComment(ctx.db, post.id, { status: 'pending' });
  const at = (minute: number) => new Date(Date.UTC(2026, 4, 1, 0, minute));
  // Ids given (to thread the rows of one statement), well above those the database hands out.
  await ctx.db.comment.createMany({
    data: [
      { id: parent.id + 1001, createdAt: at(1), status: 'approved', parentId: null },
      { id: parent.id + 1002, createdAt: at(2), status: 'approved', parentId: parent.id + 1001 },
      { id: parent.id + 1003, createdAt: at(3), status: 'approved', parentId: parent.id },
      { id: parent.id + 1004, createdAt: at(4), status: 'spam', parentId: parent.id + 1001 },
      { id: parent.id + 1005, createdAt: at(0), status: 'approved', parentId: parent.id + 1001 },
    ].map((comment) => ({
      ...comment,
      postId: post.id,
      authorName: 'Importer',
      authorEmail: 'importer@example.com',
      text: `Imported ${comment.id}`,
      textHtml: `<p>Imported ${comment.id}</p>`,
    })),
  });
  // Heads: the first (no parent), the one under the held comment, and the one dated before its parent.
  expect(await kept(post.id)).toEqual({ approvedComments: 4, approvedThreads: 3 });
  expect(await kept(post.id)).toEqual(await counted(post.id));
});
