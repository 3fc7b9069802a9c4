import request from 'supertest';
import { apiToken, asModerator, csrfTokenIn, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Standalone pages ("About"): at an address of their own, in no list of posts, without comments.

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on', PUBLIC_URL: 'https://blog.example' });
});
afterAll(() => ctx.close());

it('lives at /<slug>, in no list or feed, without comments', async () => {
  const res = await request(ctx.app)
    .post('/admin/api/posts')
    .set(auth)
    .send({ title: 'About me', slug: 'about', body: 'I walk, and write it down.', kind: 'page' })
    .expect(201);
  expect(res.body.post).toMatchObject({ kind: 'page', status: 'published' });
  await request(ctx.app).post('/admin/api/posts').set(auth).send({ title: 'A post', body: 'Words.' }).expect(201);

  const page = await request(ctx.app).get('/about').expect(200);
  expect(page.text).toContain('<h1 class="entry-title">About me</h1>');
  expect(page.text).toContain('I walk, and write it down.');
  expect(page.text).not.toContain('Leave a Reply');
  expect(page.text).not.toContain('id="comments"');
  expect(page.text).toContain('<link rel="canonical" href="https://blog.example/about">');
  expect((await request(ctx.app).get('/posts/about').expect(301)).headers.location).toBe('/about');
  await request(ctx.app)
    .post('/api/posts/about/comments')
    .send({ author: 'A', email: 'a@example.com', comment: 'Hello' })
    .expect(404);
  await request(ctx.app).get('/api/posts/about/comments').expect(404);

  const home = (await request(ctx.app).get('/').expect(200)).text;
  expect(home).toContain('A post');
  expect(home).not.toContain('About me');
  expect((await request(ctx.app).get('/feed').expect(200)).text).not.toContain('About me');
  expect((await request(ctx.app).get('/?s=walk').expect(200)).text).not.toContain('About me');
  expect((await request(ctx.app).get('/sitemap.xml').expect(200)).text).toContain(
    '<loc>https://blog.example/about</loc>',
  );
  // A post is never answered at /<slug>.
  await request(ctx.app).get('/a-post').expect(404);
});

it('may not take an address the site uses', async () => {
  for (const slug of ['feed', 'admin', 'posts', '2026']) {
    const res = await request(ctx.app)
      .post('/admin/api/posts')
      .set(auth)
      .send({ title: 'Sneaky', slug, body: 'x', kind: 'page' });
    expect([slug, res.status, res.body.error.fields.slug]).toEqual([
      slug,
      422,
      `A page cannot be at /${slug}: the site uses that address. Please choose another slug.`,
    ]);
  }
  expect(await ctx.db.post.count({ where: { title: 'Sneaky' } })).toBe(0);
});

it('is written in the editor like a post, and its changes reach its kept copy', async () => {
  const moderator = await asModerator(ctx.app);
  const form = await moderator.get('/admin/posts/new').expect(200);
  expect(form.text).toContain('id="kind-page" name="kind" value="page"');
  const saved = await moderator
    .post('/admin/posts')
    .type('form')
    .send({
      _csrf: csrfTokenIn(form.text),
      title: 'Colophon',
      body: 'Set in Georgia.',
      kind: 'page',
      status: 'published',
    });
  expect(saved.status).toBe(303);
  expect((await request(ctx.app).get('/colophon').expect(200)).text).toContain('Set in Georgia.');
  const id = (await ctx.db.post.findUniqueOrThrow({ where: { slug: 'colophon' } })).id;
  await request(ctx.app).patch(`/admin/api/posts/${id}`).set(auth).send({ body: 'Set in Palatino.' }).expect(200);
  expect((await request(ctx.app).get('/colophon').expect(200)).text).toContain('Set in Palatino.');
  await request(ctx.app).patch(`/admin/api/posts/${id}`).set(auth).send({ status: 'draft' }).expect(200);
  await request(ctx.app).get('/colophon').expect(404);
});
