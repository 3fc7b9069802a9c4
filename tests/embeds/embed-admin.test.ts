import { parseFeed } from '@rowanmanning/feed-parser';
import request from 'supertest';
import { formStampOf } from '../helpers/html';
import { apiToken, asModerator, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { sendFirstComment } from '../helpers/embeds';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Embedded pages in the admin area (issue 23): listed beside the posts with their address, moved
// to a new address (the old one still finds the thread), and two threads of one page merged.

let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  ctx = await buildTestApp({
    ...moderatorEnv,
    EMBED_ORIGINS: 'https://blog.example,https://new.blog.example',
    PUBLIC_URL: 'https://comments.blog.example',
  });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

/** A page's first comment through the frame's form, approved; the thread's id. */
async function threadWithComment(url: string, text: string): Promise<{ id: number; slug: string }> {
  const frame = await request(ctx.app)
    .get('/embed/thread')
    .query({ url: `${url}?fresh`, title: 'Stamp' });
  const posted = await sendFirstComment(ctx.app, {
    page_url: url,
    page_title: `Page ${url}`,
    form_ts: formStampOf(frame.text),
    comment: text,
    author: 'Ana',
    email: 'ana@example.org',
  }).expect(303);
  const commentId = Number(/#comment-(\d+)$/.exec(posted.headers.location!)?.[1]);
  await request(ctx.app)
    .patch(`/admin/api/comments/${commentId}`)
    .set('Authorization', `Bearer ${apiToken}`)
    .send({ status: 'approved' })
    .expect(200);
  const post = await ctx.db.post.findFirstOrThrow({ where: { comments: { some: { id: commentId } } } });
  return { id: post.id, slug: post.slug };
}

const threadOfPage = async (url: string) => {
  const res = await request(ctx.app).get('/embed/thread').query({ url });
  return res.status === 302 ? res.headers.location : null;
};

it('lists embedded pages beside the posts, with their address, and keeps them out of the post editor', async () => {
  const thread = await threadWithComment('https://blog.example/notes/one', 'The first note.');
  const list = await moderator.get('/admin/posts').expect(200);
  expect(list.text).toContain(`href="/admin/embeds/${thread.id}"`);
  expect(list.text).toContain('https://blog.example/notes/one');
  expect(list.text).toContain('Embedded page');
  const edit = await moderator.get(`/admin/posts/${thread.id}/edit`).expect(302);
  expect(edit.headers.location).toBe(`/admin/embeds/${thread.id}`);
  const page = await moderator.get(`/admin/embeds/${thread.id}`).expect(200);
  expect(page.text).toContain('https://blog.example/notes/one');
  // Our own article page for the thread links to the page it belongs to; the sitemap leaves it out.
  const article = await request(ctx.app).get(`/posts/${thread.slug}`).expect(200);
  expect(article.text).toContain('href="https://blog.example/notes/one"');
  expect(article.text).toContain('The first note.');
  expect((await request(ctx.app).get('/sitemap.xml')).text).not.toContain(thread.slug);
  // In the comments feeds, read where it is shown: on the page.
  const commentId = (await ctx.db.comment.findFirstOrThrow({ where: { postId: thread.id } })).id;
  const siteWide = parseFeed((await request(ctx.app).get('/comments/feed').expect(200)).text);
  expect(siteWide.items.map((item) => item.url)).toContain(`https://blog.example/notes/one#comment-${commentId}`);
  const ofThread = parseFeed((await request(ctx.app).get(`/posts/${thread.slug}/feed`).expect(200)).text);
  expect(ofThread.url).toBe('https://blog.example/notes/one');
  expect(ofThread.items.map((item) => item.url)).toEqual([`https://blog.example/notes/one#comment-${commentId}`]);
});

it('moves a thread to its page’s new address; the old one still finds it; refusals say why', async () => {
  const thread = await threadWithComment('https://blog.example/notes/moving', 'A note that moves.');
  const form = (url: string) =>
    moderator.post(`/admin/embeds/${thread.id}/address`).type('form').send({ _csrf: moderator.csrf, url });
  const notAllowed = await form('https://elsewhere.example/notes/moving').expect(422);
  expect(notAllowed.text).toContain('may not embed comments');
  expect(notAllowed.text).toContain('value="https://elsewhere.example/notes/moving"');
  await form('not an address').expect(422);
  const other = await threadWithComment('https://blog.example/notes/taken', 'Another page.');
  const taken = await form('https://blog.example/notes/taken/').expect(409);
  expect(taken.text).toContain('merge the two threads instead');

  await form('https://new.blog.example/notes/moving/').expect(303);
  expect(await threadOfPage('https://new.blog.example/notes/moving')).toBe(`/embed/posts/${thread.slug}`);
  expect(await threadOfPage('https://blog.example/notes/moving')).toBe(`/embed/posts/${thread.slug}`);
  expect(await threadOfPage('https://blog.example/notes/taken')).toBe(`/embed/posts/${other.slug}`);
  // Counts follow the old address as the frame does.
  const counts = await request(ctx.app)
    .get('/api/embed/counts')
    .query('url=https%3A%2F%2Fnew.blog.example%2Fnotes%2Fmoving&url=https%3A%2F%2Fblog.example%2Fnotes%2Fmoving')
    .expect(200);
  expect(counts.body.counts).toEqual({
    'https://new.blog.example/notes/moving': 1,
    'https://blog.example/notes/moving': 1,
  });
  // Back to where it was (the site moved back), and to its own address: both its own.
  await form('https://blog.example/notes/moving').expect(303);
  expect(await threadOfPage('https://blog.example/notes/moving')).toBe(`/embed/posts/${thread.slug}`);
  await form('https://blog.example/notes/moving').expect(303);
  expect(await threadOfPage('https://new.blog.example/notes/moving')).toBe(`/embed/posts/${thread.slug}`);
});

it('merges two threads of one page: every comment in one, counted, the other’s address finding it', async () => {
  const kept = await threadWithComment('https://blog.example/essay', 'Kept thread.');
  const merged = await threadWithComment('https://blog.example/essay.html', 'Merged thread.');
  const refused = await moderator
    .post(`/admin/embeds/${merged.id}/merge`)
    .type('form')
    .send({ _csrf: moderator.csrf, into: String(merged.id) })
    .expect(422);
  expect(refused.text).toContain('Choose another embedded page');
  await moderator
    .post(`/admin/embeds/${merged.id}/merge`)
    .type('form')
    .send({ _csrf: moderator.csrf, into: String(kept.id) })
    .expect(303);
  expect(await ctx.db.post.findUnique({ where: { id: merged.id } })).toBeNull();
  const post = await ctx.db.post.findUniqueOrThrow({ where: { id: kept.id } });
  expect(post.approvedComments).toBe(2);
  expect(post.approvedThreads).toBe(2);
  expect(await threadOfPage('https://blog.example/essay.html')).toBe(`/embed/posts/${kept.slug}`);
  const counts = await request(ctx.app).get('/api/embed/counts').query('url=https%3A%2F%2Fblog.example%2Fessay.html');
  expect(counts.body.counts).toEqual({ 'https://blog.example/essay.html': 2 });
  const frame = await request(ctx.app).get(`/embed/posts/${kept.slug}`).expect(200);
  expect(frame.text).toContain('Kept thread.');
  expect(frame.text).toContain('Merged thread.');
  // Signed in, and with the session's token.
  const stranger = await request(ctx.app).post(`/admin/embeds/${kept.id}/merge`).type('form').send({ into: '1' });
  expect(stranger.status).toBe(303);
  expect(stranger.headers.location).toContain('/admin/login');
  await moderator.post(`/admin/embeds/${kept.id}/merge`).type('form').send({ into: '1' }).expect(403);
  expect(await ctx.db.post.findUnique({ where: { id: kept.id } })).not.toBeNull();
});

it('lets the moderator retitle a thread, and keeps it from being edited or turned into a post', async () => {
  const thread = await threadWithComment('https://blog.example/notes/titled', 'Titled by its first reader.');
  const retitle = (title: string) =>
    moderator.post(`/admin/embeds/${thread.id}/title`).type('form').send({ _csrf: moderator.csrf, title });
  const refused = await retitle(' \u200B ').expect(422);
  expect(refused.text).toContain('Give the thread a title');
  await retitle('Notes on the harbour').expect(303);
  expect((await ctx.db.post.findUniqueOrThrow({ where: { id: thread.id } })).title).toBe('Notes on the harbour');
  const patched = await request(ctx.app)
    .patch(`/admin/api/posts/${thread.id}`)
    .set('Authorization', `Bearer ${apiToken}`)
    .send({ title: 'A post now', body: 'Text', kind: 'post' })
    .expect(409);
  expect(patched.body.error.code).toBe('embed_not_editable');
  expect((await ctx.db.post.findUniqueOrThrow({ where: { id: thread.id } })).kind).toBe('embed');
  // Not indexed on our site: the page it belongs to is the one to find.
  expect((await request(ctx.app).get(`/posts/${thread.slug}`)).text).toContain(
    '<meta name="robots" content="noindex">',
  );
});

it('takes a page’s title with its first comment only: no one renames a thread by asking for it', async () => {
  const url = 'https://blog.example/notes/plain';
  const form = await request(ctx.app).get('/embed/thread').query({ url }).set('Sec-Fetch-Dest', 'document');
  await sendFirstComment(ctx.app, {
    page_url: url,
    own_page: '1',
    form_ts: formStampOf(form.text),
    comment: 'No JS.',
    author: 'N',
    email: 'n@example.org',
  }).expect(303);
  expect((await ctx.db.post.findFirstOrThrow({ where: { embedUrl: url } })).title).toBe(url);
  await request(ctx.app).get('/embed/thread').query({ url, title: 'Renamed by anyone' }).expect(302);
  expect((await ctx.db.post.findFirstOrThrow({ where: { embedUrl: url } })).title).toBe(url);
});

it('forgets a deleted thread: its page’s next reader gets the form, and its next comment makes one anew', async () => {
  const url = 'https://blog.example/notes/deleted';
  const thread = await threadWithComment(url, 'Soon gone.');
  expect(await threadOfPage(url)).toBe(`/embed/posts/${thread.slug}`);
  await request(ctx.app).delete(`/admin/api/posts/${thread.id}`).set('Authorization', `Bearer ${apiToken}`).expect(200);
  expect(await threadOfPage(url)).toBeNull();
  const again = await threadWithComment(url, 'Back again.');
  expect(await threadOfPage(url)).toBe(`/embed/posts/${again.slug}`);
});
