import request from 'supertest';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { addComment, addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';
import { withPostgres } from '../helpers/test-database';

// Found attacking the PostgreSQL mode: a statement waiting for a lock (a moderator's bulk action
// holding a post, a transaction left open by another tool) waited without end, and then gave a 500.
// It waits DB_BUSY_TIMEOUT_MS, then the reader gets 503 with Retry-After and their words back.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, MODERATION_MODE: 'approve', DB_BUSY_TIMEOUT_MS: '300' });
});
afterAll(() => ctx.close());

/** Holds the post's row locked, in another connection, while `work` runs. */
async function whilePostLocked<T>(postId: number, work: () => Promise<T>): Promise<T> {
  return withPostgres(ctx.config.DATABASE_URL, async (other) => {
    await other.query('BEGIN');
    await other.query('SELECT 1 FROM "Post" WHERE id = $1 FOR UPDATE', [postId]);
    try {
      return await work();
    } finally {
      await other.query('ROLLBACK');
    }
  });
}

it('answers a comment that waited past the busy timeout with 503, Retry-After and the form as typed', async () => {
  const post = await addPost(ctx.db);
  const typed = 'Held up by a lock, kept for the reader.';
  const refused = await whilePostLocked(post.id, () =>
    request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send({ comment: typed, author: 'Waiting', email: 'waiting@example.com', url: '' }),
  );
  expect(refused.status).toBe(503);
  expect(refused.headers['retry-after']).toBe('5');
  expect(refused.text).toContain(typed);
  expect(await ctx.db.comment.count({ where: { text: typed } })).toBe(0);
  // Let go, the same comment goes through.
  const stored = await request(ctx.app)
    .post(`/api/posts/${post.slug}/comments`)
    .send({ comment: typed, author: 'Waiting', email: 'waiting@example.com' });
  expect(stored.status).toBe(201);
});

it('lets two bulk actions over the same posts, in opposite orders, both finish', async () => {
  const [first, second] = [await addPost(ctx.db), await addPost(ctx.db)];
  const ids = async (postId: number) =>
    Promise.all(Array.from({ length: 20 }, async () => (await addComment(ctx.db, postId, { status: 'pending' })).id));
  const [a, b] = [await ids(first.id), await ids(second.id)];
  const bulk = (order: number[], status: string) =>
    request(ctx.app)
      .post('/admin/api/comments/bulk')
      .set('Authorization', `Bearer ${apiToken}`)
      .send({ ids: order, status });
  for (let round = 0; round < 20; round += 1) {
    const status = round % 2 === 0 ? 'approved' : 'pending';
    const answers = await Promise.all([bulk([...a, ...b], status), bulk([...b, ...a].reverse(), status)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
  }
});
