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

const manyComments = {
  ...moderatorEnv,
  COMMENT_RATE_LIMIT: '1000000',
  COMMENT_FLOOD_SECONDS: '0',
  DB_BUSY_TIMEOUT_MS: '2000',
};

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
  // Waits of two seconds: one bulk waits for the other's locks; PostgreSQL finds a deadlock in one.
  const bulkApp = await buildTestApp({ ...manyComments });
  try {
    const [first, second] = [await addPost(bulkApp.db), await addPost(bulkApp.db)];
    const ids = async (postId: number) =>
      Promise.all(
        Array.from({ length: 20 }, async () => (await addComment(bulkApp.db, postId, { status: 'pending' })).id),
      );
    const [a, b] = [await ids(first.id), await ids(second.id)];
    const bulk = (order: number[], status: string) =>
      request(bulkApp.app)
        .post('/admin/api/comments/bulk')
        .set('Authorization', `Bearer ${apiToken}`)
        .send({ ids: order, status });
    for (let round = 0; round < 20; round += 1) {
      const status = round % 2 === 0 ? 'approved' : 'pending';
      const answers = await Promise.all([bulk([...a, ...b], status), bulk([...b, ...a].reverse(), status)]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    }
  } finally {
    await bulkApp.close();
  }
});

// Found attacking the batched INSERTs: with the Comment table locked past the busy timeout and
// more comments waiting than the pool has connections, those left waiting for a connection got a
// 500 (node-postgres's pool timeout was not taken for a busy database), and a failed batch was
// sent again statement by statement, each waiting out the lock again: up to a minute.
it('answers every comment 503 within the busy timeout or so while the table is locked, however many wait', async () => {
  const patient = await buildTestApp({ ...manyComments, DB_BUSY_TIMEOUT_MS: '5000' });
  try {
    const post = await addPost(patient.db);
    const started = Date.now();
    const statuses = await withPostgres(patient.config.DATABASE_URL, async (other) => {
      await other.query('BEGIN');
      await other.query('LOCK TABLE "Comment" IN SHARE ROW EXCLUSIVE MODE');
      try {
        return await Promise.all(
          // One every tenth of a second: each turn's comments wait as one batch, on a connection of
          // its own, and the pool's ten are soon all waiting.
          Array.from({ length: 30 }, async (_, n) => {
            await new Promise((resolve) => setTimeout(resolve, n * 100));
            const answer = await request(patient.app)
              .post(`/api/posts/${post.slug}/comments`)
              .send({ comment: `Waiting in line ${n}`, author: 'Waiting', email: 'waiting@example.com' });
            return answer.status;
          }),
        );
      } finally {
        await other.query('ROLLBACK');
      }
    });
    expect(statuses).toEqual(Array.from({ length: 30 }, () => 503));
    // Sent over 3 s; each waits 5 s for the lock, or at most 5 s for a connection and 5 more.
    expect(Date.now() - started).toBeLessThan(16_000);
  } finally {
    await patient.close();
  }
}, 30_000);

// Found attacking the batched INSERTs: comments on two posts sent together to two instances in
// opposite orders deadlocked on the posts' rows (the count triggers lock the post), failing both
// batches with 503.
it('stores comments on two posts sent to two instances in opposite orders, without deadlocks', async () => {
  const one = await buildTestApp({ ...manyComments, MODERATION_MODE: 'approve' });
  const other = await buildTestApp({
    ...manyComments,
    MODERATION_MODE: 'approve',
    DATABASE_URL: one.config.DATABASE_URL,
  });
  try {
    const [first, second] = [await addPost(one.db), await addPost(one.db)];
    const send = (app: TestContext, slug: string, text: string) =>
      request(app.app)
        .post(`/api/posts/${slug}/comments`)
        .send({ comment: text, author: 'Both', email: 'both@example.com' });
    const statuses: number[] = [];
    for (let round = 0; round < 150; round += 1) {
      const answers = await Promise.all([
        send(one, first.slug, `First here ${round}`),
        send(one, second.slug, `Second here ${round}`),
        send(other, second.slug, `Second there ${round}`),
        send(other, first.slug, `First there ${round}`),
      ]);
      statuses.push(...answers.map((answer) => answer.status));
    }
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
  } finally {
    await other.close();
    await one.close();
  }
}, 60_000);
