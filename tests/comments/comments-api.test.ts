import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(() => ctx.close());

describe('POST /api/posts/:slug/comments', () => {
  it('answers 201 with the comment (id, status; never email) and a Location', async () => {
    const post = await addPost(ctx.db);
    const res = await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Via the API', author: 'Cy', email: 'cy@example.com', url: 'https://cy.example.net' });
    expect(res.status).toBe(201);
    expect(res.body.comment).toEqual({
      id: expect.any(Number),
      parentId: null,
      authorName: 'Cy',
      authorUrl: 'https://cy.example.net/',
      byPostAuthor: false,
      repliesLocked: false,
      deleted: false,
      text: 'Via the API',
      html: '<p>Via the API</p>',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      status: 'pending',
    });
    expect(res.headers.location).toBe(`/posts/${post.slug}#comment-${res.body.comment.id}`);
    expect(res.text).not.toContain('cy@example.com');
  });

  it('answers 403 comments_closed on a closed post and 404 on an unknown one', async () => {
    const closed = await addPost(ctx.db, { commentsOpen: false });
    const body = { comment: 'x', author: 'Cy', email: 'cy@example.com' };
    const refused = await request(ctx.app).post(`/api/posts/${closed.slug}/comments`).send(body);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'comments_closed', message: 'Comments are closed.', fields: {} });
    const missing = await request(ctx.app).post('/api/posts/nothing-here/comments').send(body);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect(await ctx.db.comment.count({ where: { postId: closed.id } })).toBe(0);
  });
});

describe('GET /api/posts/:slug/comments', () => {
  it('lists approved comments oldest first with public fields only', async () => {
    const post = await addPost(ctx.db);
    const second = await addComment(ctx.db, post.id, { text: 'second', createdAt: new Date('2026-02-02T10:00:00Z') });
    const first = await addComment(ctx.db, post.id, {
      text: 'first\n\nsee https://example.com',
      authorUrl: 'https://first.example/',
      createdAt: new Date('2026-02-01T10:00:00Z'),
    });
    await addComment(ctx.db, post.id, { status: 'pending', text: 'pending' });
    await addComment(ctx.db, post.id, { status: 'spam', text: 'spam' });
    await addComment(ctx.db, post.id, { status: 'trash', text: 'trash' });
    const reply = await addComment(ctx.db, post.id, {
      parentId: first.id,
      text: 'a reply',
      createdAt: new Date('2026-02-03T10:00:00Z'),
    });

    const res = await request(ctx.app).get(`/api/posts/${post.slug}/comments`).expect(200);
    expect(res.body.comments.map((c: { text: string }) => c.text)).toEqual([first.text, second.text, reply.text]);
    expect(res.body.comments[0]).toEqual({
      id: first.id,
      parentId: null,
      authorName: first.authorName,
      authorUrl: 'https://first.example/',
      byPostAuthor: false,
      repliesLocked: false,
      deleted: false,
      text: first.text,
      html: '<p>first</p>\n<p>see <a href="https://example.com" rel="nofollow ugc noopener">https://example.com</a></p>',
      createdAt: '2026-02-01T10:00:00.000Z',
    });
    expect(res.body.comments[2].parentId).toBe(first.id);
    expect(res.text).not.toMatch(/@example\.com|203\.0\.113\.9|factory/);
  });

  it('answers 404 JSON for an unknown post', async () => {
    const res = await request(ctx.app).get('/api/posts/nothing-here/comments');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers unknown API routes with 404 JSON, not an HTML page', async () => {
    const res = await request(ctx.app).get('/api/nothing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/json/);
  });
});
