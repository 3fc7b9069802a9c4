import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { commentIdIn, fieldValue, formBody, formStampOf } from '../helpers/html';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(() => ctx.close());

const valid = { comment: 'A thoughtful reply.', author: 'Ada', email: 'ada@example.com' };

describe('POST /posts/:slug/comments', () => {
  it('holds a valid comment for moderation and redirects (303) to it', async () => {
    const post = await addPost(ctx.db);
    const res = await request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .set('User-Agent', 'test-browser/1.0')
      .type('form')
      .send(formBody({ ...valid, url: 'ada.example.org' }));
    expect(res.status).toBe(303);
    const stored = await ctx.db.comment.findFirstOrThrow({ where: { postId: post.id } });
    expect(res.headers.location).toBe(`/posts/${post.slug}#comment-${stored.id}`);
    expect(stored).toMatchObject({
      status: 'pending',
      authorName: 'Ada',
      authorEmail: 'ada@example.com',
      authorUrl: 'https://ada.example.org/',
      text: 'A thoughtful reply.',
      parentId: null,
      userAgent: 'test-browser/1.0',
    });
    expect(stored.ipAddress).toMatch(/127\.0\.0\.1|::1/);
  });

  it('shows a pending comment to its submitter only, marked as awaiting moderation', async () => {
    const post = await addPost(ctx.db);
    const submitter = request.agent(ctx.app);
    await submitter
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ ...valid, comment: 'Only I can see this yet' }))
      .expect(303);

    const own = await submitter.get(`/posts/${post.slug}`).expect(200);
    expect(own.text).toContain('Only I can see this yet');
    expect(own.text).toContain('Your comment is awaiting moderation.');
    // Not "Be First to Comment" above the comment just written.
    expect(own.text).toContain(`<h2 id="comments-title" class="comments-title">Comments on “${post.title}”</h2>`);
    expect(own.headers['cache-control']).toBe('private, no-store');

    const stranger = await request(ctx.app).get(`/posts/${post.slug}`).expect(200);
    expect(stranger.text).not.toContain('Only I can see this yet');
    expect(stranger.text).not.toContain('awaiting moderation');
    expect(stranger.text).toContain('Be First to Comment');
  });

  it('ignores a forged own-comments cookie', async () => {
    const post = await addPost(ctx.db);
    const pending = await addComment(ctx.db, post.id, { status: 'pending', text: 'Someone else’s pending words' });
    const res = await request(ctx.app)
      .get(`/posts/${post.slug}`)
      .set('Cookie', `marginalia_own_comments=${pending.id}`)
      .expect(200);
    expect(res.text).not.toContain('Someone else’s pending words');
  });

  it('publishes at once when MODERATION_MODE=approve', async () => {
    const approving = await buildTestApp({ MODERATION_MODE: 'approve' });
    try {
      const post = await addPost(approving.db, { title: 'Open house' });
      const form = await request(approving.app).get(`/posts/${post.slug}`);
      await request(approving.app)
        .post(`/posts/${post.slug}/comments`)
        .type('form')
        .send(formBody({ ...valid, form_ts: formStampOf(form.text) }))
        .expect(303);
      const page = await request(approving.app).get(`/posts/${post.slug}`).expect(200);
      expect(page.text).toContain('A thoughtful reply.');
      expect(page.text).toContain('1 Comment on “Open house”');
      expect(page.text).not.toContain('awaiting moderation');
    } finally {
      await approving.close();
    }
  });

  it('fills the form next time when "save my details" is ticked, and only then', async () => {
    const post = await addPost(ctx.db);
    const ticked = request.agent(ctx.app);
    const posted = await ticked
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ ...valid, url: 'https://ada.example.org', 'wp-comment-cookies-consent': 'yes' }))
      .expect(303);
    const setCookie = String(posted.headers['set-cookie']);
    expect(setCookie).toContain('marginalia_commenter=');
    expect(setCookie).not.toMatch(/ada(@|%40)example\.com/);
    const prefilled = await ticked.get(`/posts/${post.slug}`);
    expect(fieldValue(prefilled.text, 'author')).toBe('Ada');
    expect(fieldValue(prefilled.text, 'email')).toBe('ada@example.com');
    expect(fieldValue(prefilled.text, 'url')).toBe('https://ada.example.org/');
    expect(prefilled.text).toMatch(/name="wp-comment-cookies-consent"[^>]*checked/);

    // Posting again with the box unticked forgets the saved details.
    await ticked
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ ...valid, comment: 'Second thought' }))
      .expect(303);
    const forgotten = await ticked.get(`/posts/${post.slug}`);
    expect(fieldValue(forgotten.text, 'author')).toBe('');
    expect(fieldValue(forgotten.text, 'email')).toBe('');
  });

  it('keeps nothing when the box is not ticked', async () => {
    const post = await addPost(ctx.db);
    const unticked = request.agent(ctx.app);
    const res = await unticked.post(`/posts/${post.slug}/comments`).type('form').send(formBody(valid)).expect(303);
    expect(String(res.headers['set-cookie'])).not.toContain('marginalia_commenter');
    const page = await unticked.get(`/posts/${post.slug}`);
    expect(fieldValue(page.text, 'author')).toBe('');
    expect(fieldValue(page.text, 'email')).toBe('');
  });

  it('refuses comments on a closed post with 403 "Comments are closed." and keeps the text', async () => {
    const post = await addPost(ctx.db, { commentsOpen: false });
    const res = await request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ ...valid, comment: 'Words worth keeping' }));
    expect(res.status).toBe(403);
    expect(res.text).toContain('Comments are closed.');
    expect(fieldValue(res.text, 'comment')).toBeUndefined();
    expect(res.text).toContain('Words worth keeping');
    expect(await ctx.db.comment.count({ where: { postId: post.id } })).toBe(0);
  });

  it('answers 404 for an unknown post and stores nothing', async () => {
    const before = await ctx.db.comment.count();
    const res = await request(ctx.app).post('/posts/no-such-post/comments').type('form').send(formBody(valid));
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page not found');
    expect(await ctx.db.comment.count()).toBe(before);
  });

  it('accepts a reply to an approved comment of the same post', async () => {
    const post = await addPost(ctx.db);
    const parent = await addComment(ctx.db, post.id, { status: 'approved' });
    await request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ ...valid, comment_parent: String(parent.id) }))
      .expect(303);
    const reply = await ctx.db.comment.findFirstOrThrow({ where: { postId: post.id, parentId: parent.id } });
    expect(reply.text).toBe(valid.comment);
  });

  it.each([
    ['does not exist', () => Promise.resolve(999_999)],
    ['is not approved', async (postId: number) => (await addComment(ctx.db, postId, { status: 'pending' })).id],
    ['belongs to another post', async () => (await addComment(ctx.db, (await addPost(ctx.db)).id)).id],
  ])('refuses a reply to a comment that %s (422, nothing stored)', async (_case, parentOf) => {
    const post = await addPost(ctx.db);
    const parentId = await parentOf(post.id);
    const before = await ctx.db.comment.count();
    const res = await request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ ...valid, comment_parent: String(parentId) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('The comment you are replying to could not be found.');
    expect(fieldValue(res.text, 'comment')).toBe(valid.comment);
    expect(await ctx.db.comment.count()).toBe(before);
  });
});

describe('replying without JavaScript (?replytocom=ID)', () => {
  it('gives every approved comment a Reply link, and the form then replies to it', async () => {
    const post = await addPost(ctx.db);
    const parent = await addComment(ctx.db, post.id, { authorName: 'Hal <3' });
    const plain = await request(ctx.app).get(`/posts/${post.slug}`);
    expect(plain.text).toContain(
      `<a rel="nofollow" class="comment-reply-link" href="?replytocom=${parent.id}#respond" data-comment-id="${parent.id}" data-author="Hal &lt;3" aria-label="Reply to Hal &lt;3">Reply</a>`,
    );
    expect(fieldValue(plain.text, 'comment_parent')).toBe('0');

    const replying = await request(ctx.app).get(`/posts/${post.slug}?replytocom=${parent.id}`);
    expect(replying.text).toContain(
      `Leave a Reply<span class="reply-to"> to <a href="#comment-${parent.id}">Hal &lt;3</a></span>`,
    );
    expect(replying.text).toContain(
      `<a rel="nofollow" id="cancel-comment-reply-link" href="/posts/${post.slug}#respond">Cancel reply</a>`,
    );
    expect(fieldValue(replying.text, 'comment_parent')).toBe(String(parent.id));
  });

  it.each([
    [
      'a pending comment',
      async (postId: number) => String((await addComment(ctx.db, postId, { status: 'pending' })).id),
    ],
    ['a comment of another post', async () => String((await addComment(ctx.db, (await addPost(ctx.db)).id)).id)],
    ['garbage', () => Promise.resolve('1%20OR%201=1')],
  ])('ignores replytocom pointing at %s', async (_case, target) => {
    const post = await addPost(ctx.db);
    const res = await request(ctx.app)
      .get(`/posts/${post.slug}?replytocom=${await target(post.id)}`)
      .expect(200);
    expect(res.text).toContain('<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>');
    expect(fieldValue(res.text, 'comment_parent')).toBe('0');
  });

  it('keeps replying to the same comment when a reply is refused', async () => {
    const post = await addPost(ctx.db);
    const parent = await addComment(ctx.db, post.id, { authorName: 'Ivy' });
    const res = await request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ comment: 'My reply', author: '', email: 'x@example.com', comment_parent: String(parent.id) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      `Leave a Reply<span class="reply-to"> to <a href="#comment-${parent.id}">Ivy</a></span>`,
    );
    expect(fieldValue(res.text, 'comment_parent')).toBe(String(parent.id));
  });

  it('offers no Reply link on a comment that is still awaiting moderation', async () => {
    const post = await addPost(ctx.db);
    const agent = request.agent(ctx.app);
    const posted = await agent.post(`/posts/${post.slug}/comments`).type('form').send(formBody(valid)).expect(303);
    const id = commentIdIn(posted.headers.location);
    const page = await agent.get(`/posts/${post.slug}`);
    expect(page.text).toContain(`id="comment-${id}"`);
    expect(page.text).not.toContain(`replytocom=${id}`);
  });
});
