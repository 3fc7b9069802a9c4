import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { formBody } from '../helpers/html';
import {
  apiToken,
  asModerator,
  csrfTokenIn,
  moderatorEnv,
  moderatorPassword,
  type ModeratorAgent,
} from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The post's author answers commenters as themselves, marked as the author; nobody else can be.

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on', DISPLAY_NAME: 'Marta Ribeiro' });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

/** The <li> of a comment on the post page, from its opening tag to its text. */
const commentOn = (html: string, id: number) => {
  const at = html.indexOf(`<li id="comment-${id}"`);
  return at === -1 ? '' : html.slice(at, html.indexOf('</article>', at));
};

it('answers a waiting comment from the queue: both published at once, the reply marked as the author’s', async () => {
  const post = await addPost(ctx.db, { title: 'On tides' });
  const waiting = await addComment(ctx.db, post.id, { status: 'pending', authorName: 'Rui', text: 'Why two a day?' });
  ctx.app.pageCache?.everythingChanged(); // the factories wrote below the app
  expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).not.toContain('Why two a day?');

  const queue = (await moderator.get('/admin/comments?status=pending').expect(200)).text;
  expect(queue).toContain(`href="/admin/comments/${waiting.id}/reply?return=`);
  expect(queue).toContain('>Approve and reply</a>');
  const form = await moderator.get(`/admin/comments/${waiting.id}/reply?return=/admin/comments`).expect(200);
  expect(form.text).toContain('Your reply, as Marta Ribeiro (the post');
  expect(form.text).toContain('The comment you answer is approved with it.');

  const empty = await moderator
    .post(`/admin/comments/${waiting.id}/reply`)
    .type('form')
    .send({ _csrf: csrfTokenIn(form.text), return: '/admin/comments', comment: '   ' });
  expect(empty.status).toBe(422);
  expect(empty.text).toContain('The reply could not be published.');
  expect(await ctx.db.comment.count({ where: { parentId: waiting.id } })).toBe(0);

  const res = await moderator
    .post(`/admin/comments/${waiting.id}/reply`)
    .type('form')
    .send({
      _csrf: csrfTokenIn(form.text),
      return: '/admin/comments',
      comment: 'The moon pulls, and the Earth turns under it.',
    });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/admin/comments');
  expect((await moderator.get('/admin/comments')).text).toContain('Your reply is published.');

  const reply = await ctx.db.comment.findFirstOrThrow({ where: { parentId: waiting.id } });
  expect(reply).toMatchObject({ status: 'approved', byPostAuthor: true, authorName: 'Marta Ribeiro', authorEmail: '' });
  expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe('approved');
  const history = await ctx.db.commentStatusChange.findMany({ where: { commentId: waiting.id } });
  expect(history).toMatchObject([{ fromStatus: 'pending', toStatus: 'approved', actor: 'moderator:editor' }]);

  const page = (await request(ctx.app).get(`/posts/${post.slug}`).expect(200)).text;
  expect(commentOn(page, waiting.id)).toContain('Why two a day?');
  const mine = commentOn(page, reply.id);
  expect(mine).toMatch(/^<li id="comment-\d+" class="comment depth-2 bypostauthor">/);
  expect(mine).toContain('<span class="author-badge">Author</span>');
  expect(mine).toContain('The moon pulls');
  const api = await request(ctx.app).get(`/api/posts/${post.slug}/comments`).expect(200);
  expect(api.body.comments.find((c: { id: number }) => c.id === reply.id)).toMatchObject({ byPostAuthor: true });
});

it('gives no commenter the mark, whatever name they type', async () => {
  const post = await addPost(ctx.db, { title: 'Impostors' });
  const res = await request(ctx.app).post(`/api/posts/${post.slug}/comments`).send({
    author: 'Marta Ribeiro',
    email: 'fake@example.com',
    comment: 'I am the author, honestly.',
    byPostAuthor: true,
  });
  expect(res.status).toBe(201);
  expect(res.body.comment.byPostAuthor).toBe(false);
  const form = await request(ctx.app)
    .post(`/posts/${post.slug}/comments`)
    .type('form')
    .send(formBody({ author: 'Marta Ribeiro', email: 'fake2@example.com', comment: 'Me too.', byPostAuthor: 'true' }));
  expect(form.status).toBe(303);
  expect(await ctx.db.comment.count({ where: { postId: post.id, byPostAuthor: true } })).toBe(0);
  await ctx.db.comment.updateMany({ where: { postId: post.id }, data: { status: 'approved' } });
  ctx.app.pageCache?.everythingChanged();
  const page = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
  expect(page).toContain('I am the author, honestly.');
  expect(page).not.toContain('author-badge');
  expect(page).not.toContain('bypostauthor');
});

it('replies through the API, and refuses to answer a comment in spam or the trash', async () => {
  const post = await addPost(ctx.db, { title: 'By API' });
  const approved = await addComment(ctx.db, post.id, { status: 'approved', text: 'A question.' });
  const res = await request(ctx.app)
    .post(`/admin/api/comments/${approved.id}/reply`)
    .set(auth)
    .send({ comment: 'An answer, with <b>brackets</b> kept as text.' });
  expect(res.status).toBe(201);
  expect(res.body.comment).toMatchObject({
    parentId: approved.id,
    status: 'approved',
    byPostAuthor: true,
    authorName: 'Marta Ribeiro',
    html: '<p>An answer, with &lt;b&gt;brackets&lt;/b&gt; kept as text.</p>',
  });
  const spam = await addComment(ctx.db, post.id, { status: 'spam' });
  const refused = await request(ctx.app).post(`/admin/api/comments/${spam.id}/reply`).set(auth).send({ comment: 'Hi' });
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toBe(
    'That comment is in spam or the trash: restore and approve it before replying to it.',
  );
  const missing = await request(ctx.app).post('/admin/api/comments/999999/reply').set(auth).send({ comment: 'Hi' });
  expect(missing.status).toBe(404);
  const blank = await request(ctx.app).post(`/admin/api/comments/${approved.id}/reply`).set(auth).send({});
  expect(blank.status).toBe(422);
  expect(await ctx.db.comment.count({ where: { postId: post.id, byPostAuthor: true } })).toBe(1);
});

it('offers the signed-in author a reply from the post page, and brings them back to it', async () => {
  const post = await addPost(ctx.db, { title: 'From the page' });
  const comment = await addComment(ctx.db, post.id, { status: 'approved', text: 'A reader asks.' });
  ctx.app.pageCache?.everythingChanged();
  // Every reader's page holds the link, hidden; the page's script shows it in the author's browser.
  const page = (await request(ctx.app).get(`/posts/${post.slug}`).expect(200)).text;
  expect(page).toContain(
    `<span class="author-reply" hidden> · <a rel="nofollow" href="/admin/comments/${comment.id}/reply?return=/posts/${post.slug}"`,
  );
  // Signing in marks the browser for that script (and grants nothing by itself); signing out unmarks it.
  const signedIn = request.agent(ctx.app);
  const login = await signedIn.get('/admin/login');
  const res = await signedIn
    .post('/admin/login')
    .type('form')
    .send({ _csrf: csrfTokenIn(login.text), username: 'editor', password: moderatorPassword });
  expect(String(res.headers['set-cookie'])).toMatch(
    /marginalia_author=1; Max-Age=86400; Path=\/; Expires=[^;]+; SameSite=Lax/,
  );

  const form = await moderator.get(`/admin/comments/${comment.id}/reply?return=/posts/${post.slug}`).expect(200);
  expect(form.text).toContain(`name="return" value="/posts/${post.slug}"`);
  const sent = await moderator
    .post(`/admin/comments/${comment.id}/reply`)
    .type('form')
    .send({ _csrf: csrfTokenIn(form.text), return: `/posts/${post.slug}`, comment: 'The author answers.' });
  expect(sent.status).toBe(303);
  const reply = await ctx.db.comment.findFirstOrThrow({ where: { parentId: comment.id } });
  expect(sent.headers.location).toBe(`/posts/${post.slug}/comments/${reply.id}`);
  // Anywhere else is no place to go back to.
  const elsewhere = await moderator
    .post(`/admin/comments/${comment.id}/reply`)
    .type('form')
    .send({ _csrf: csrfTokenIn(form.text), return: 'https://evil.example/posts/x', comment: 'Again.' });
  expect(elsewhere.headers.location).toBe('/admin/comments');
  const tooLong = await moderator
    .post(`/admin/comments/${comment.id}/reply`)
    .type('form')
    .send({ _csrf: csrfTokenIn(form.text), return: `/posts/${'a'.repeat(3000)}`, comment: 'Once more.' });
  expect(tooLong.headers.location).toBe('/admin/comments');

  const logout = await signedIn
    .post('/admin/logout')
    .type('form')
    .send({ _csrf: csrfTokenIn((await signedIn.get('/admin')).text) });
  expect(String(logout.headers['set-cookie'])).toMatch(/marginalia_author=; Path=\/; Expires=Thu, 01 Jan 1970/);
});

it('signs a post written through the admin API with the author’s display name', async () => {
  const res = await request(ctx.app)
    .post('/admin/api/posts')
    .set(auth)
    .send({ title: 'Written elsewhere', body: 'Sent from a script.' })
    .expect(201);
  expect(res.body.post.authorName).toBe('Marta Ribeiro');
});
