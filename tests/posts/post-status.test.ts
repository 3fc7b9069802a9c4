import path from 'node:path';
import request from 'supertest';
import { createExportsRepository } from '../../src/exports/exports-repository';
import { writeJsonExport } from '../../src/exports/export-writers';
import { importJson } from '../../src/imports/json-import';
import { addComment, addPost } from '../helpers/factories';
import { formBody } from '../helpers/html';
import { apiToken, asModerator, csrfTokenIn, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { startServer } from '../helpers/server-process';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Drafts, scheduled posts, unpublishing, deleting, and a renamed post's old address.

const auth = { Authorization: `Bearer ${apiToken}` };
const hour = 3_600_000;

let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  // Pages kept, so every test also checks that the home page and article drop what changed.
  ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on', TIME_ZONE: 'Europe/Lisbon' });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

/** A post made through the API, so kept pages hear of it (a factory writes below the app). */
async function publishedPost(title: string, fields: Record<string, unknown> = {}) {
  const res = await request(ctx.app)
    .post('/admin/api/posts')
    .set(auth)
    .send({ title, body: 'Words.', ...fields })
    .expect(201);
  return res.body.post as { id: number; slug: string };
}

const home = async () => (await request(ctx.app).get('/').expect(200)).text;

async function submitForm(path: string, fields: Record<string, string>) {
  const form = await moderator.get(path === '/admin/posts' ? '/admin/posts/new' : path).expect(200);
  return moderator
    .post(path)
    .type('form')
    .send({ _csrf: csrfTokenIn(form.text), body: 'Some words.', commentsOpen: 'yes', ...fields });
}

describe('a draft', () => {
  it('is saved, not shown or commentable, and previewed by its owner alone', async () => {
    expect(await home()).toContain('marginalia'); // the home page is now kept
    const res = await submitForm('/admin/posts', { title: 'Half written', status: 'draft', body: 'Not *yet*.' });
    expect(res.status).toBe(303);
    const post = await ctx.db.post.findUniqueOrThrow({ where: { slug: 'half-written' } });
    expect(post).toMatchObject({ status: 'draft', dateChosen: false });
    expect((await moderator.get(res.headers.location!)).text).toContain('Draft saved.');

    expect(await home()).not.toContain('Half written');
    await request(ctx.app).get('/posts/half-written').expect(404);
    const comment = await request(ctx.app)
      .post('/posts/half-written/comments')
      .type('form')
      .send(formBody({ author: 'Al', email: 'al@example.com', comment: 'Early!' }));
    expect(comment.status).toBe(404);
    expect(await ctx.db.comment.count({ where: { postId: post.id } })).toBe(0);

    const preview = await moderator.get(`/admin/posts/${post.id}/preview`).expect(200);
    expect(preview.text).toContain('<em>yet</em>');
    expect(preview.text).toContain('Preview: this draft post is not published yet. Only you can see it.');
    // No comment form to type into: it would lead nowhere until the post is published.
    expect(preview.text).toContain('Comments open once the post is published');
    expect(preview.text).not.toContain('id="commentform"');
    expect(preview.headers['cache-control']).toContain('no-store');
    const stranger = await request(ctx.app).get(`/admin/posts/${post.id}/preview`);
    expect(stranger.status).toBe(303);
    expect(stranger.text).not.toContain('Not');

    const list = (await moderator.get('/admin/posts')).text;
    expect(list).toMatch(
      /Half written<\/a> · <a href="\/admin\/posts\/\d+\/preview">preview<\/a><\/td>\s*<td>Draft<\/td>/,
    );
  });

  it('is published with the time of publishing when no date was chosen', async () => {
    const res = await submitForm('/admin/posts', { title: 'Later today', status: 'draft' });
    const post = await ctx.db.post.findUniqueOrThrow({ where: { slug: 'later-today' } });
    ctx.clock.advance(20 * 60_000);
    const edit = await submitForm(`/admin/posts/${post.id}/edit`, { title: 'Later today', status: 'published' });
    expect(edit.status).toBe(303);
    const stored = await ctx.db.post.findUniqueOrThrow({ where: { id: post.id } });
    expect(stored.status).toBe('published');
    expect(Math.abs(stored.publishedAt.getTime() - ctx.clock.now().getTime())).toBeLessThan(5_000);
    expect(res.status).toBe(303);
    expect(await home()).toContain('Later today');
    await request(ctx.app).get('/posts/later-today').expect(200);
  });
});

describe('a scheduled post', () => {
  it("reads the editor's time in the site's zone, and refuses a time that has passed", async () => {
    const past = await submitForm('/admin/posts', {
      title: 'Too late',
      status: 'scheduled',
      publishAt: '2020-01-01T09:00',
    });
    expect(past.status).toBe(422);
    expect(past.text).toContain('That time has passed: choose a time in the future, or publish the post now.');
    expect(past.text).toContain('value="2020-01-01T09:00"');
    const none = await submitForm('/admin/posts', { title: 'Too late', status: 'scheduled' });
    expect(none.status).toBe(422);
    expect(none.text).toContain('Choose when to publish the post.');
    const garbled = await submitForm('/admin/posts', { title: 'Too late', status: 'scheduled', publishAt: 'soon' });
    expect(garbled.text).toContain('Enter the date and time as 2026-12-24T09:30');
    expect(await ctx.db.post.count({ where: { title: 'Too late' } })).toBe(0);

    const ok = await submitForm('/admin/posts', {
      title: 'Midsummer',
      status: 'scheduled',
      publishAt: '2099-06-21T09:30',
    });
    expect(ok.status).toBe(303);
    const post = await ctx.db.post.findUniqueOrThrow({ where: { slug: 'midsummer' } });
    // Lisbon keeps summer time (UTC+1) in June.
    expect(post).toMatchObject({ status: 'scheduled', publishedAt: new Date('2099-06-21T08:30:00Z') });
    const form = (await moderator.get(`/admin/posts/${post.id}/edit`)).text;
    expect(form).toContain('value="2099-06-21T09:30"');
    expect(form).toContain('Date (Europe/Lisbon, UTC');
    expect(form).toMatch(/id="status-scheduled" name="status" value="scheduled" checked/);
  });

  it("is published by the server's own timer when its time comes, and not before", async () => {
    const res = await request(ctx.app)
      .post('/admin/api/posts')
      .set(auth)
      .send({
        title: 'New year',
        body: 'Fireworks.',
        status: 'scheduled',
        publishAt: new Date(ctx.clock.now().getTime() + hour).toISOString(),
      })
      .expect(201);
    expect(res.body.post).toMatchObject({ slug: 'new-year', status: 'scheduled' });
    ctx.app.publisher.start(5);
    try {
      expect(await ctx.app.publisher.nextRun()).toBe(0);
      await request(ctx.app).get('/posts/new-year').expect(404);
      expect(await home()).not.toContain('New year');

      ctx.clock.advance(hour + 1_000);
      expect(await ctx.app.publisher.nextRun()).toBe(1);
      moderator = await asModerator(ctx.app); // an hour on, the session has lapsed
      await request(ctx.app).get('/posts/new-year').expect(200);
      expect(await home()).toContain('New year');
      expect(ctx.logLines.join('')).toContain('published a scheduled post');
    } finally {
      ctx.app.publisher.close();
    }
  });

  it('refuses, as published, a date still to come', async () => {
    const res = await request(ctx.app)
      .post('/admin/api/posts')
      .set(auth)
      .send({ title: 'Ahead of time', body: 'x', status: 'published', publishAt: '2099-01-01T00:00:00Z' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.publishAt).toBe(
      'That time is still to come: choose “Scheduled” to publish the post then, or clear the date.',
    );
    const bad = await request(ctx.app)
      .post('/admin/api/posts')
      .set(auth)
      .send({ title: 'x', body: 'x', status: 'live' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.status).toBe('The status must be "draft", "scheduled" or "published".');
    expect(await ctx.db.post.count({ where: { title: { in: ['Ahead of time', 'x'] } } })).toBe(0);
  });

  it('that came due while the server was stopped is published as it starts', async () => {
    const post = await addPost(ctx.db, { title: 'Missed while down' });
    await ctx.db.post.update({
      where: { id: post.id },
      data: { status: 'scheduled', publishedAt: new Date(Date.now() - 60_000) },
    });
    const server = await startServer(ctx.dir, { DATABASE_URL: ctx.config.DATABASE_URL, PAGE_CACHE: 'off' });
    try {
      // The first look runs as the server starts; wait for it to have run, not for a time.
      let status = 0;
      for (let attempt = 0; attempt < 100 && status !== 200; attempt += 1) {
        status = (await fetch(`${server.url}/posts/${post.slug}`)).status;
        if (status !== 200) await new Promise((resolve) => setImmediate(resolve));
      }
      expect(status).toBe(200);
      expect((await ctx.db.post.findUniqueOrThrow({ where: { id: post.id } })).status).toBe('published');
    } finally {
      await server.stop();
    }
  });
});

describe('unpublishing and deleting', () => {
  it('takes a post off the site as a draft, keeping its date and comments', async () => {
    const post = await publishedPost('Second thoughts', { publishAt: '2026-03-03T12:00:00Z' });
    await addComment(ctx.db, post.id, { status: 'approved', text: 'A kept comment' });
    expect(await home()).toContain('Second thoughts');
    await request(ctx.app).get(`/posts/${post.slug}`).expect(200);
    const res = await request(ctx.app).patch(`/admin/api/posts/${post.id}`).set(auth).send({ status: 'draft' });
    expect(res.status).toBe(200);
    expect(res.body.post).toMatchObject({ status: 'draft', publishedAt: '2026-03-03T12:00:00.000Z' });
    await request(ctx.app).get(`/posts/${post.slug}`).expect(404);
    expect(await home()).not.toContain('Second thoughts');
    expect(await ctx.db.comment.count({ where: { postId: post.id } })).toBe(1);
    // Published again: back, with its date.
    await request(ctx.app)
      .patch(`/admin/api/posts/${post.id}`)
      .set(auth)
      .send({ status: 'published', publishAt: '2026-03-03T12:00:00Z' })
      .expect(200);
    expect((await request(ctx.app).get(`/posts/${post.slug}`).expect(200)).text).toContain('A kept comment');
  });

  it('deletes a post and its comments after telling how many', async () => {
    const post = await publishedPost('Regrettable');
    await addComment(ctx.db, post.id, { status: 'approved' });
    await addComment(ctx.db, post.id, { status: 'approved' });
    await addComment(ctx.db, post.id, { status: 'pending' });
    await addComment(ctx.db, post.id, { status: 'spam' });
    await request(ctx.app).get(`/posts/${post.slug}`).expect(200);
    const confirm = await moderator.get(`/admin/posts/${post.id}/delete`).expect(200);
    expect(confirm.text).toContain(
      '<strong>4 comments</strong> will be deleted with it (2 approved, 1 waiting for moderation, 1 spam or in the trash)',
    );
    // Nothing happens until the button is pressed (and a forged form does nothing).
    expect(await ctx.db.post.count({ where: { id: post.id } })).toBe(1);
    const forged = await moderator.post(`/admin/posts/${post.id}/delete`).type('form').send({ _csrf: 'wrong' });
    expect(forged.status).toBe(403);
    expect(await ctx.db.post.count({ where: { id: post.id } })).toBe(1);

    const res = await moderator
      .post(`/admin/posts/${post.id}/delete`)
      .type('form')
      .send({ _csrf: csrfTokenIn(confirm.text) });
    expect(res.status).toBe(303);
    expect((await moderator.get(res.headers.location!)).text).toContain('Deleted “Regrettable” and its 4 comments.');
    expect(await ctx.db.post.count({ where: { id: post.id } })).toBe(0);
    expect(await ctx.db.comment.count({ where: { postId: post.id } })).toBe(0);
    await request(ctx.app).get(`/posts/${post.slug}`).expect(404);
    expect(await home()).not.toContain('Regrettable');
  });

  it('deletes through the API, answering what went with it', async () => {
    const post = await addPost(ctx.db, { title: 'Through the API' });
    await addComment(ctx.db, post.id);
    const res = await request(ctx.app).delete(`/admin/api/posts/${post.id}`).set(auth).expect(200);
    expect(res.body).toEqual({ deleted: { id: post.id, slug: post.slug, title: 'Through the API', comments: 1 } });
    await request(ctx.app).delete(`/admin/api/posts/${post.id}`).set(auth).expect(404);
  });
});

describe('a renamed post', () => {
  it('answers at its old addresses with a permanent redirect, forever', async () => {
    const post = await addPost(ctx.db, { title: 'First name', slug: 'first-name' });
    const rename = (slug: string) =>
      request(ctx.app).patch(`/admin/api/posts/${post.id}`).set(auth).send({ slug }).expect(200);
    await rename('second-name');
    await rename('third-name');
    for (const old of ['first-name', 'second-name']) {
      const res = await request(ctx.app).get(`/posts/${old}?cpage=2`);
      expect(res.status).toBe(301);
      expect(res.headers.location).toBe('/posts/third-name?cpage=2');
    }
    // Its first name given back: that address is the post's again, not a redirect to itself.
    await rename('first-name');
    await request(ctx.app).get('/posts/first-name').expect(200);
    expect((await request(ctx.app).get('/posts/third-name')).headers.location).toBe('/posts/first-name');
    // A new post may take an old address: the live post wins.
    await addPost(ctx.db, { title: 'Usurper', slug: 'second-name' });
    expect((await request(ctx.app).get('/posts/second-name').expect(200)).text).toContain('Usurper');
    // Addresses under the old one follow it: the post's feed, a comment's permalink.
    const feed = await request(ctx.app).get('/posts/second-name/feed');
    expect(feed.status).toBe(200); // the usurper's own feed: a live post wins
    expect((await request(ctx.app).get('/posts/third-name/feed/atom').expect(301)).headers.location).toBe(
      '/posts/first-name/feed/atom',
    );
    expect((await request(ctx.app).get('/posts/third-name/comments/12?x=1').expect(301)).headers.location).toBe(
      '/posts/first-name/comments/12?x=1',
    );
    // An unpublished post's old address redirects nowhere.
    await request(ctx.app).patch(`/admin/api/posts/${post.id}`).set(auth).send({ status: 'draft' }).expect(200);
    await request(ctx.app).get('/posts/third-name').expect(404);
  });

  it('keeps its status and old addresses through a JSON export and import', async () => {
    const other = await buildTestApp({ ...moderatorEnv });
    try {
      const draft = await addPost(ctx.db, { title: 'Exported draft', slug: 'exported-draft', status: 'draft' });
      const moved = await addPost(ctx.db, { title: 'Exported moved', slug: 'old-export-name' });
      await request(ctx.app)
        .patch(`/admin/api/posts/${moved.id}`)
        .set(auth)
        .send({ slug: 'new-export-name' })
        .expect(200);
      const file = path.join(ctx.dir, 'status-export.jsonl');
      await writeJsonExport(createExportsRepository(ctx.db), file);
      const report = await importJson(other.db, file);
      expect(report.errors).toEqual([]);
      expect(await other.db.post.findUniqueOrThrow({ where: { slug: draft.slug } })).toMatchObject({ status: 'draft' });
      await request(other.app).get('/posts/exported-draft').expect(404);
      const res = await request(other.app).get('/posts/old-export-name');
      expect(res.status).toBe(301);
      expect(res.headers.location).toBe('/posts/new-export-name');
    } finally {
      await other.close();
    }
  });
});

describe('old WordPress addresses', () => {
  it('redirect an imported post’s permalink and ?p= address to it', async () => {
    const post = await addPost(ctx.db, { title: 'From WordPress', slug: 'from-wordpress' });
    await ctx.db.postRedirect.createMany({
      data: [
        { path: '/2023/05/from-wordpress/', postId: post.id },
        { path: '/?p=123', postId: post.id },
      ],
    });
    for (const path of ['/2023/05/from-wordpress/', '/2023/05/from-wordpress', '/?p=123']) {
      const res = await request(ctx.app).get(path);
      expect([path, res.status, res.headers.location]).toEqual([path, 301, '/posts/from-wordpress']);
    }
    await request(ctx.app).get('/2023/05/nothing-here/').expect(404);
    await request(ctx.app).get('/?p=124').expect(200); // the home page, as WordPress would show for an unknown id
  });
});

describe('what an attacker and a new user found', () => {
  it('keeps another post’s old address when a draft takes that slug and gives it back', async () => {
    const moved = await publishedPost('Keeper', { slug: 'keeper-old' });
    await request(ctx.app).patch(`/admin/api/posts/${moved.id}`).set(auth).send({ slug: 'keeper-new' }).expect(200);
    const draft = await publishedPost('Borrower', { slug: 'borrower', status: 'draft' });
    await request(ctx.app).patch(`/admin/api/posts/${draft.id}`).set(auth).send({ slug: 'keeper-old' }).expect(200);
    await request(ctx.app).patch(`/admin/api/posts/${draft.id}`).set(auth).send({ slug: 'borrower' }).expect(200);
    const res = await request(ctx.app).get('/posts/keeper-old');
    expect([res.status, res.headers.location]).toEqual([301, '/posts/keeper-new']);
  });

  it('refuses a date before 1970 or after 9999', async () => {
    for (const publishAt of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z']) {
      const res = await request(ctx.app)
        .post('/admin/api/posts')
        .set(auth)
        .send({ title: 'Old', body: 'x', publishAt });
      expect([publishAt, res.status, res.body.error.fields.publishAt]).toEqual([
        publishAt,
        422,
        'Choose a date between the years 1970 and 9999.',
      ]);
    }
  });

  it('answers an empty month with 404, so months without posts are no pages to keep', async () => {
    await request(ctx.app).get('/1234/05').expect(404);
    await request(ctx.app).get('/9999/12').expect(404);
  });
});
