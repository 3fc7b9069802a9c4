import path from 'node:path';
import { parseFeed } from '@rowanmanning/feed-parser';
import request from 'supertest';
import { createExportsRepository } from '../../src/exports/exports-repository';
import { writeJsonExport } from '../../src/exports/export-writers';
import { importJson } from '../../src/imports/json-import';
import { importWordPress } from '../../src/imports/wordpress-import';
import { importFixture } from '../helpers/import-fixtures';
import { apiToken, asModerator, csrfTokenIn, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Categories and tags: set on a post, shown on it, each with its archive, imported and exported.

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on' });
});
afterAll(() => ctx.close());

const titlesOn = (html: string) => [...html.matchAll(/class="entry-title"><a href="[^"]+">([^<]+)</g)].map((m) => m[1]);
const newPost = (fields: Record<string, unknown>) =>
  request(ctx.app)
    .post('/admin/api/posts')
    .set(auth)
    .send({ body: 'Words.', ...fields });

it('shows a post’s categories and tags, each leading to its archive', async () => {
  const res = await newPost({
    title: 'Ferry crossing',
    categories: ['Travel', 'Walks'],
    tags: ['Lisbon', 'river', 'Lisbon'],
  });
  expect(res.status).toBe(201);
  expect(res.body.post).toMatchObject({
    categories: [
      { name: 'Travel', slug: 'travel' },
      { name: 'Walks', slug: 'walks' },
    ],
    tags: [
      { name: 'Lisbon', slug: 'lisbon' },
      { name: 'river', slug: 'river' },
    ],
  });
  await newPost({ title: 'Tram 28', categories: ['Travel'] }).expect(201);
  await newPost({ title: 'Unfinished', categories: ['Travel'], status: 'draft' }).expect(201);

  const page = (await request(ctx.app).get('/posts/ferry-crossing').expect(200)).text;
  expect(page).toContain(
    'Filed under <a href="/category/travel" rel="category tag">Travel</a>, <a href="/category/walks" rel="category tag">Walks</a>',
  );
  expect(page).toContain('Tagged <a href="/tag/lisbon" rel="tag">Lisbon</a>, <a href="/tag/river" rel="tag">river</a>');

  const travel = (await request(ctx.app).get('/category/travel').expect(200)).text;
  expect(travel).toContain('Posts filed under “Travel”');
  expect(titlesOn(travel)).toEqual(['Tram 28', 'Ferry crossing']);
  expect(titlesOn((await request(ctx.app).get('/tag/lisbon').expect(200)).text)).toEqual(['Ferry crossing']);
  for (const none of ['/category/nothing', '/tag/travel', '/category/travel/page/2', '/tag/Bad_Slug'])
    await request(ctx.app).get(none).expect(404);

  const feed = parseFeed((await request(ctx.app).get('/feed').expect(200)).text);
  const item = feed.items.find((entry) => entry.title === 'Ferry crossing')!;
  expect(item.categories.map((category) => category.label ?? category.term)).toEqual([
    'Lisbon',
    'river',
    'Travel',
    'Walks',
  ]);
});

it('are typed in the editor separated by commas, kept on edits that leave them out, and limited', async () => {
  const moderator = await asModerator(ctx.app);
  const form = await moderator.get('/admin/posts/new').expect(200);
  const saved = await moderator
    .post('/admin/posts')
    .type('form')
    .send({
      _csrf: csrfTokenIn(form.text),
      title: 'Bread',
      body: 'Flour.',
      status: 'published',
      categories: 'Kitchen',
      tags: 'yeast, rye ,  ',
    });
  expect(saved.status).toBe(303);
  const edit = (await moderator.get(saved.headers.location!).expect(200)).text;
  expect(edit).toContain('id="categories" name="categories" type="text" value="Kitchen"');
  expect(edit).toContain('id="tags" name="tags" type="text" value="rye, yeast"');
  const id = (await ctx.db.post.findUniqueOrThrow({ where: { slug: 'bread' } })).id;
  const patched = await request(ctx.app)
    .patch(`/admin/api/posts/${id}`)
    .set(auth)
    .send({ title: 'Rye bread' })
    .expect(200);
  expect(patched.body.post.tags.map((tag: { name: string }) => tag.name)).toEqual(['rye', 'yeast']);

  const tooMany = await newPost({ title: 'Tagged to death', tags: Array.from({ length: 21 }, (_, n) => `t${n}`) });
  expect(tooMany.status).toBe(422);
  expect(tooMany.body.error.fields.tags).toBe('Tags: at most 20 a post.');
  const wrong = await newPost({ title: 'Odd', categories: { a: 1 } });
  expect(wrong.status).toBe(400);
  expect(await ctx.db.post.count({ where: { title: { in: ['Tagged to death', 'Odd'] } } })).toBe(0);
});

it('come in from WordPress and go through a JSON export and import', async () => {
  const other = await buildTestApp();
  const third = await buildTestApp();
  try {
    const report = await importWordPress(other.db, importFixture('wxr-1.2.xml'));
    expect(report.terms).toEqual({ categories: 1, tags: 0 });
    const walks = (await request(other.app).get('/category/walks').expect(200)).text;
    expect(titlesOn(walks)).toEqual(['Frost on the reeds']);

    const file = path.join(other.dir, 'terms.jsonl');
    await writeJsonExport(createExportsRepository(other.db), file);
    const again = await importJson(third.db, file);
    expect(again.terms).toEqual({ categories: 1, tags: 0 });
    expect(titlesOn((await request(third.app).get('/category/walks').expect(200)).text)).toEqual([
      'Frost on the reeds',
    ]);
  } finally {
    await other.close();
    await third.close();
  }
});
