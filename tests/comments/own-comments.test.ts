import request from 'supertest';
import { addPost } from '../helpers/factories';
import { commentIdIn, fieldValue, formBody, formStampOf } from '../helpers/html';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ COMMENT_EDIT_WINDOW_MINUTES: '15' });
});
afterAll(() => ctx.close());

let counter = 0;
/** Posts a comment as a browser would and returns that browser and the comment id. */
async function postAsAuthor(slug: string, app = ctx.app) {
  const author = request.agent(app);
  const page = await author.get(`/posts/${slug}`);
  const res = await author
    .post(`/posts/${slug}/comments`)
    .type('form')
    .send(
      formBody({
        comment: `Original words ${++counter}`,
        author: 'Ora',
        email: 'ora@example.com',
        form_ts: formStampOf(page.text),
      }),
    );
  return { author, id: commentIdIn(res.headers.location) };
}

describe('editing and deleting one’s own comment', () => {
  it('offers Edit and Delete to the author only', async () => {
    const post = await addPost(ctx.db);
    const { author, id } = await postAsAuthor(post.slug);
    await ctx.db.comment.update({ where: { id }, data: { status: 'approved' } });
    expect((await author.get(`/posts/${post.slug}`)).text).toContain(
      `href="/posts/${post.slug}/comments/${id}/edit">Edit your comment</a>`,
    );
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).not.toContain('Edit your comment');
  });

  it('lets the author change the text within the window', async () => {
    const post = await addPost(ctx.db);
    const { author, id } = await postAsAuthor(post.slug);
    const form = await author.get(`/posts/${post.slug}/comments/${id}/edit`).expect(200);
    expect(fieldValue(form.text, 'comment')).toMatch(/^Original words/);
    const res = await author
      .post(`/posts/${post.slug}/comments/${id}/edit`)
      .type('form')
      .send({ comment: 'Better <words>' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/posts/${post.slug}/comments/${id}`);
    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id } });
    expect(stored.text).toBe('Better <words>');
    expect(stored.textHtml).toBe('<p>Better &lt;words&gt;</p>');
  });

  it('sends an edited approved comment back to moderation when every comment is held', async () => {
    const post = await addPost(ctx.db);
    const { author, id } = await postAsAuthor(post.slug);
    const warning = 'Once you save a change, your comment waits for the site owner to approve it again';
    expect((await author.get(`/posts/${post.slug}/comments/${id}/edit`)).text).not.toContain(warning);
    await ctx.db.comment.update({ where: { id }, data: { status: 'approved' } });
    // The author is told before saving.
    expect((await author.get(`/posts/${post.slug}/comments/${id}/edit`)).text).toContain(warning);
    await author
      .post(`/posts/${post.slug}/comments/${id}/edit`)
      .type('form')
      .send({ comment: 'Changed after approval' })
      .expect(303);
    const stored = await ctx.db.comment.findUniqueOrThrow({
      where: { id },
      include: { statusChanges: { orderBy: { id: 'desc' }, take: 1 } },
    });
    expect(stored.status).toBe('pending');
    expect(stored.statusChanges[0]).toMatchObject({ fromStatus: 'approved', toStatus: 'pending', actor: 'author' });
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).not.toContain('Changed after approval');
  });

  it('refuses an empty edit with 422 and keeps the form', async () => {
    const post = await addPost(ctx.db);
    const { author, id } = await postAsAuthor(post.slug);
    const res = await author.post(`/posts/${post.slug}/comments/${id}/edit`).type('form').send({ comment: '   ' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Please type your comment.');
  });

  it('lets the author delete it', async () => {
    const post = await addPost(ctx.db);
    const { author, id } = await postAsAuthor(post.slug);
    const res = await author.post(`/posts/${post.slug}/comments/${id}/delete`).type('form').send({});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/posts/${post.slug}#comments`);
    expect(await ctx.db.comment.count({ where: { id } })).toBe(0);
  });

  it('refuses another browser with a clear message, changing nothing', async () => {
    const post = await addPost(ctx.db);
    const { id } = await postAsAuthor(post.slug);
    const stranger = request.agent(ctx.app);
    for (const res of [
      await stranger.get(`/posts/${post.slug}/comments/${id}/edit`),
      await stranger.post(`/posts/${post.slug}/comments/${id}/edit`).type('form').send({ comment: 'hijacked' }),
      await stranger.post(`/posts/${post.slug}/comments/${id}/delete`).type('form').send({}),
    ]) {
      expect(res.status).toBe(403);
      expect(res.text).toContain('Only the browser that posted this comment can edit or delete it.');
    }
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id } })).text).toMatch(/^Original words/);
  });

  it('refuses the author’s own browser when a page of another origin on the same site sends the change', async () => {
    const post = await addPost(ctx.db);
    const { author, id } = await postAsAuthor(post.slug);
    for (const headers of [
      { Origin: 'http://127.0.0.1:9999', 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'http://sibling.localhost' },
    ]) {
      const edit = await author
        .post(`/posts/${post.slug}/comments/${id}/edit`)
        .set(headers)
        .type('form')
        .send({ comment: 'edited by another page' });
      expect(edit.status).toBe(403);
      expect(edit.text).toContain('Your comment can be changed only from this site’s own pages.');
      expect(
        (await author.post(`/posts/${post.slug}/comments/${id}/delete`).set(headers).type('form').send({})).status,
      ).toBe(403);
    }
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id } })).text).toMatch(/^Original words/);
  });

  it('refuses after the window with a clear message, changing nothing', async () => {
    const post = await addPost(ctx.db);
    const { author, id } = await postAsAuthor(post.slug);
    ctx.clock.advance(16 * 60_000);
    const edit = await author
      .post(`/posts/${post.slug}/comments/${id}/edit`)
      .type('form')
      .send({ comment: 'too late' });
    expect(edit.status).toBe(403);
    expect(edit.text).toContain('Comments can be edited or deleted only for 15 minutes after posting.');
    expect((await author.post(`/posts/${post.slug}/comments/${id}/delete`).type('form').send({})).status).toBe(403);
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id } })).text).toMatch(/^Original words/);
    expect((await author.get(`/posts/${post.slug}`)).text).not.toContain('Edit your comment');
  });
});
