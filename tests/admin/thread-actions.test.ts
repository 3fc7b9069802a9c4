import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { fieldValue, formBody, formStampOf } from '../helpers/html';
import { apiToken, asModerator, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// A moderator's actions on one post: pin a comment to the top, lock a thread, close the comments.

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on', MODERATION_MODE: 'approve' });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

const patch = (id: number, body: object) => request(ctx.app).patch(`/admin/api/comments/${id}`).set(auth).send(body);
const pinnedBox = (html: string) => {
  const at = html.indexOf('<aside class="pinned-comments"');
  return at === -1 ? null : html.slice(at, html.indexOf('</aside>', at));
};

describe('pin', () => {
  it('shows a pinned comment again at the top of its post’s first page, until unpinned', async () => {
    const post = await addPost(ctx.db);
    await addComment(ctx.db, post.id, { text: 'An early comment' });
    const chosen = await addComment(ctx.db, post.id, { text: 'The one worth reading', authorName: 'Noor' });
    ctx.app.pageCache?.everythingChanged();
    expect(pinnedBox((await request(ctx.app).get(`/posts/${post.slug}`)).text)).toBeNull();

    const res = await patch(chosen.id, { pinned: true }).expect(200);
    expect(res.body.comment).toMatchObject({ pinned: true, repliesLocked: false });
    // The kept page is dropped with the change.
    const box = pinnedBox((await request(ctx.app).get(`/posts/${post.slug}`)).text);
    expect(box).toContain('The one worth reading');
    expect(box).toContain('Noor');
    expect(box).toContain(`href="/posts/${post.slug}/comments/${chosen.id}"`);

    await patch(chosen.id, { pinned: false }).expect(200);
    expect(pinnedBox((await request(ctx.app).get(`/posts/${post.slug}`)).text)).toBeNull();
  });

  it('pins only an approved comment, and from the comment’s page in the admin area', async () => {
    const post = await addPost(ctx.db);
    const waiting = await addComment(ctx.db, post.id, { status: 'pending' });
    const refused = await patch(waiting.id, { pinned: true }).expect(409);
    expect(refused.body.error.message).toBe('Only an approved comment can be pinned: approve it first.');
    expect((await patch(waiting.id, { pinned: 'yes' })).status).toBe(400);

    const approved = await addComment(ctx.db, post.id, { text: 'Pinned from the admin area' });
    const done = await moderator
      .post(`/admin/comments/${approved.id}/thread`)
      .type('form')
      .send(formBody({ _csrf: moderator.csrf, action: 'pin' }))
      .expect(303);
    expect((await moderator.get(done.headers.location!)).text).toContain('The comment is pinned to the top');
    expect(pinnedBox((await request(ctx.app).get(`/posts/${post.slug}`)).text)).toContain('Pinned from the admin area');
  });
});

describe('lock', () => {
  it('takes the reply links away under a locked comment and refuses replies to it or below it', async () => {
    const post = await addPost(ctx.db);
    const top = await addComment(ctx.db, post.id, { text: 'Heated' });
    const below = await addComment(ctx.db, post.id, { parentId: top.id, text: 'Hotter' });
    const other = await addComment(ctx.db, post.id, { text: 'Calm' });
    await patch(top.id, { repliesLocked: true }).expect(200);

    const page = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    expect(page).not.toContain(`replytocom=${top.id}#respond`);
    expect(page).not.toContain(`replytocom=${below.id}#respond`);
    expect(page).toContain(`replytocom=${other.id}#respond`);
    expect(page).toContain('Replies to this comment are closed.');

    for (const parent of [top.id, below.id]) {
      const res = await request(ctx.app)
        .post(`/api/posts/${post.slug}/comments`)
        .send({ comment: 'Me too', author: 'Z', email: 'z@example.com', comment_parent: parent });
      expect(res.status).toBe(422);
      expect(res.body.error.fields.comment_parent).toBe('Replies to this comment are closed.');
    }
    // The form keeps what was typed.
    const form = await request(ctx.app).get(`/posts/${post.slug}`);
    const refused = await request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(
        formBody({
          comment: 'Typed with care',
          author: 'Z',
          email: 'z@example.com',
          comment_parent: String(below.id),
          form_ts: formStampOf(form.text),
        }),
      )
      .expect(422);
    expect(refused.text).toContain('Typed with care');
    expect(fieldValue(refused.text, 'author')).toBe('Z');
    expect(await ctx.db.comment.count({ where: { text: 'Typed with care' } })).toBe(0);

    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Elsewhere', author: 'Z', email: 'z@example.com', comment_parent: other.id })
      .expect(201);
    await patch(top.id, { repliesLocked: false }).expect(200);
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Open again', author: 'Z', email: 'z@example.com', comment_parent: below.id })
      .expect(201);
  });
});

describe('close comments', () => {
  it('closes and opens a post’s comments from the posts list', async () => {
    const post = await addPost(ctx.db, { title: 'Closing time' });
    const list = await moderator.get('/admin/posts').expect(200);
    expect(list.text).toContain(`aria-label="Close comments on Closing time"`);
    const closed = await moderator
      .post(`/admin/posts/${post.id}/comments`)
      .type('form')
      .send(formBody({ _csrf: moderator.csrf, open: 'no' }))
      .expect(303);
    expect((await moderator.get(closed.headers.location!)).text).toContain('Comments on the post are closed.');
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).toContain('Comments are closed.');
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Late', author: 'Z', email: 'z@example.com' })
      .expect(403);
    await moderator
      .post(`/admin/posts/${post.id}/comments`)
      .type('form')
      .send(formBody({ _csrf: moderator.csrf, open: 'yes' }))
      .expect(303);
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'In time', author: 'Z', email: 'z@example.com' })
      .expect(201);
  });
});

describe('what a lock, a pin or an erasure refuses', () => {
  it('changes nothing when one part of a PATCH is refused', async () => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { text: 'As it was' });
    const refused = await patch(comment.id, { comment: 'Changed', status: 'pending', pinned: true }).expect(409);
    expect(refused.body.error.code).toBe('comment_not_approved');
    expect(await ctx.db.comment.findUniqueOrThrow({ where: { id: comment.id } })).toMatchObject({
      text: 'As it was',
      status: 'approved',
      pinnedAt: null,
    });
  });

  it('offers no reply form under a locked thread, whatever the address asks', async () => {
    const post = await addPost(ctx.db);
    const top = await addComment(ctx.db, post.id, { authorName: 'Lockie' });
    await patch(top.id, { repliesLocked: true }).expect(200);
    const page = await request(ctx.app).get(`/posts/${post.slug}?replytocom=${top.id}`).expect(200);
    expect(page.text).not.toContain('Leave a Reply to Lockie');
    expect(page.text).toContain('name="comment_parent" id="comment_parent" value="0"');
  });

  it('keeps an erased placeholder empty: no edit, pin or reply by anyone', async () => {
    const post = await addPost(ctx.db);
    const top = await addComment(ctx.db, post.id, { authorEmail: 'erased@example.com' });
    await addComment(ctx.db, post.id, { parentId: top.id });
    await request(ctx.app)
      .post('/admin/api/commenters/erase')
      .set(auth)
      .send({ email: 'erased@example.com', mode: 'delete' })
      .expect(200);
    expect((await patch(top.id, { comment: 'Resurrected' })).status).toBe(409);
    expect((await patch(top.id, { pinned: true })).status).toBe(409);
    expect(
      (await request(ctx.app).post(`/admin/api/comments/${top.id}/reply`).set(auth).send({ comment: 'Hello?' })).status,
    ).toBe(409);
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Under nothing', author: 'Z', email: 'z@example.com', comment_parent: top.id })
      .expect(422);
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: top.id } })).text).toBe('');
    const editPage = await moderator.get(`/admin/comments/${top.id}/edit`).expect(200);
    expect(editPage.text).toContain('There is nothing to edit.');
    expect(editPage.text).not.toContain('name="comment"');
  });

  it('refuses an unknown action, even one named like an object’s own property', async () => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id);
    for (const action of ['__proto__', 'constructor', 'toString', 'explode'])
      await moderator
        .post(`/admin/comments/${comment.id}/thread`)
        .type('form')
        .send(formBody({ _csrf: moderator.csrf, action }))
        .expect(400);
  });
});
