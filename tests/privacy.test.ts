import request, { type Response } from 'supertest';
import { addComment, addPost } from './helpers/factories';
import { formBody } from './helpers/html';
import { buildTestApp, type TestContext } from './helpers/test-app';

// Commenters' email addresses must never reach anyone but the moderator: no public page, API
// response, header, error message or log line may contain one. Every address used here is unique,
// so any occurrence anywhere is a leak.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ COMMENT_RATE_LIMIT: '4' });
});
afterAll(() => ctx.close());

const emails = new Set<string>();
const uniqueEmail = (label: string): string => {
  const email = `privacy-${label}-${emails.size}@leak-check.example`;
  emails.add(email);
  return email;
};

function expectNoEmail(res: Response): void {
  const everything = `${JSON.stringify(res.headers)}\n${res.text}`.toLowerCase();
  for (const email of emails) {
    expect(everything).not.toContain(email);
    expect(everything).not.toContain(encodeURIComponent(email));
  }
}

it('keeps every commenter email out of public pages, API answers, headers, errors and logs', async () => {
  const post = await addPost(ctx.db, { title: 'Privacy' });
  const closed = await addPost(ctx.db, { commentsOpen: false });
  const approved = await addComment(ctx.db, post.id, { authorEmail: uniqueEmail('approved') });
  await addComment(ctx.db, post.id, { authorEmail: uniqueEmail('pending'), status: 'pending' });
  await addComment(ctx.db, post.id, { authorEmail: uniqueEmail('spam'), status: 'spam' });
  await addComment(ctx.db, post.id, { authorEmail: uniqueEmail('reply'), parentId: approved.id });

  const submitter = request.agent(ctx.app);
  const responses: Response[] = [];
  // A successful form post with "save my details" ticked, and the submitter's own view afterwards.
  responses.push(
    await submitter
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(
        formBody({ comment: 'Mine', author: 'Me', email: uniqueEmail('form'), 'wp-comment-cookies-consent': 'yes' }),
      ),
  );
  // The API post answers with the stored comment.
  responses.push(
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Api', author: 'Api', email: uniqueEmail('api') }),
  );
  // Refusals of every kind, with an address in the body.
  responses.push(
    await request(ctx.app)
      .post(`/api/posts/${closed.slug}/comments`)
      .send({ comment: 'x', author: 'x', email: uniqueEmail('closed') }),
  );
  responses.push(
    await request(ctx.app)
      .post('/api/posts/missing/comments')
      .send({ comment: 'x', author: 'x', email: uniqueEmail('missing') }),
  );
  responses.push(
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: '', author: 'x', email: uniqueEmail('invalid') }),
  );
  responses.push(
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'x', author: ['x'], email: uniqueEmail('array') }),
  );
  responses.push(
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .set('Content-Type', 'application/json')
      .send(`{"email":"${uniqueEmail('broken')}",`),
  );
  responses.push(await request(ctx.app).get(`/posts/missing?email=${uniqueEmail('query')}`));
  // Over the rate limit (4 per window here).
  for (let i = 0; i < 3; i += 1) {
    responses.push(
      await request(ctx.app)
        .post(`/api/posts/${post.slug}/comments`)
        .send({ comment: `r${i}`, author: 'x', email: uniqueEmail('limited') }),
    );
  }
  expect(responses.at(-1)!.status).toBe(429);
  // Every public read.
  responses.push(await request(ctx.app).get('/'));
  responses.push(await request(ctx.app).get(`/posts/${post.slug}`));
  responses.push(await submitter.get(`/posts/${closed.slug}`));
  responses.push(await request(ctx.app).get(`/api/posts/${post.slug}/comments`));
  for (const feed of ['/feed', '/feed/atom', '/comments/feed', '/comments/feed/atom', `/posts/${post.slug}/feed`]) {
    responses.push(await request(ctx.app).get(feed).expect(200));
  }

  for (const res of responses) expectNoEmail(res);
  expect(ctx.logLines.length).toBeGreaterThan(responses.length - 1);
  const logs = ctx.logLines.join('\n').toLowerCase();
  for (const email of emails) expect(logs).not.toContain(email);
});

it('shows commenters their own saved address in their own private form only', async () => {
  const roomy = await buildTestApp();
  try {
    const post = await addPost(roomy.db);
    const email = uniqueEmail('saved');
    const owner = request.agent(roomy.app);
    await owner
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ comment: 'Saved', author: 'Saver', email, 'wp-comment-cookies-consent': 'yes' }))
      .expect(303);
    const own = await owner.get(`/posts/${post.slug}`);
    expect(own.text).toContain(`value="${email}"`);
    expect(own.headers['cache-control']).toBe('private, no-store');
    const stranger = await request(roomy.app).get(`/posts/${post.slug}`);
    expect(stranger.text).not.toContain(email);
    expect(stranger.headers['cache-control']).toBe('public, max-age=0, s-maxage=10, stale-while-revalidate=60');
  } finally {
    await roomy.close();
  }
});
