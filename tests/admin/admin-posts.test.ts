import request from 'supertest';
import { addPost } from '../helpers/factories';
import { asModerator, csrfTokenIn, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

async function createPost(fields: Record<string, string>) {
  const form = await moderator.get('/admin/posts/new').expect(200);
  return moderator
    .post('/admin/posts')
    .type('form')
    .send({ _csrf: csrfTokenIn(form.text), ...fields });
}

describe('/admin/posts', () => {
  it('creates a post, making the slug from the title and rendering the Markdown', async () => {
    const res = await createPost({
      title: 'Ça va? A *new* post',
      body: 'Hello **world**.\n\n<script>x</script>',
      commentsOpen: 'yes',
    });
    expect(res.status).toBe(303);
    const post = await ctx.db.post.findUniqueOrThrow({ where: { slug: 'ca-va-a-new-post' } });
    expect(res.headers.location).toBe(`/admin/posts/${post.id}/edit`);
    expect(post).toMatchObject({
      authorName: 'editor',
      commentsOpen: true,
      bodyHtml: '<p>Hello <strong>world</strong>.</p>\n<p>&lt;script&gt;x&lt;/script&gt;</p>\n',
    });
    const page = await request(ctx.app).get('/posts/ca-va-a-new-post').expect(200);
    expect(page.text).toContain('Leave a Reply');
    expect((await moderator.get('/admin/posts')).text).toContain('Ça va? A *new* post');
  });

  it('refuses a taken slug with 409 and keeps the form', async () => {
    const existing = await addPost(ctx.db);
    const res = await createPost({ title: 'Another', slug: existing.slug, body: 'Text that stays.' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Another post already uses this slug.');
    expect(res.text).toContain('>Text that stays.</textarea>');
  });

  it('refuses missing fields and a bad slug with 422, naming each', async () => {
    const res = await createPost({ title: '  ', slug: 'Not A Slug!', body: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Please give the post a title.');
    expect(res.text).toContain('Please write the post.');
    expect(res.text).toContain(
      'The slug (the post’s address) may contain lower-case letters, digits and single hyphens',
    );
    expect(await ctx.db.post.count({ where: { title: '' } })).toBe(0);
  });

  it('edits a post: new Markdown is rendered, the date stays', async () => {
    const post = await addPost(ctx.db, { title: 'Before', publishedAt: new Date('2026-02-02T00:00:00Z') });
    const form = await moderator.get(`/admin/posts/${post.id}/edit`).expect(200);
    expect(form.text).toContain('value="Before"');
    const res = await moderator
      .post(`/admin/posts/${post.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfTokenIn(form.text),
        title: 'After',
        slug: 'after-edit',
        body: '> quoted',
        authorName: 'Ed',
        commentsOpen: 'yes',
      });
    expect(res.status).toBe(303);
    const stored = await ctx.db.post.findUniqueOrThrow({ where: { id: post.id } });
    expect(stored).toMatchObject({
      title: 'After',
      slug: 'after-edit',
      bodyHtml: '<blockquote>\n<p>quoted</p>\n</blockquote>\n',
      publishedAt: new Date('2026-02-02T00:00:00Z'),
    });
    expect((await moderator.get(`/admin/posts/${post.id}/edit`)).text).toContain('Post saved and published.');
  });

  it('answers 404 for a post that does not exist', async () => {
    expect((await moderator.get('/admin/posts/999999/edit')).status).toBe(404);
  });
});
