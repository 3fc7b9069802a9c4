import request from 'supertest';
import { addPost } from '../helpers/factories';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The home page in pages, monthly archives in the site's time zone, and the search.

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on', TIME_ZONE: 'America/New_York' });
  // 23 posts, one a day through November 2026 (UTC noon).
  for (let day = 1; day <= 23; day += 1) {
    await addPost(ctx.db, {
      title: `Day ${day}`,
      slug: `day-${day}`,
      bodyMarkdown: day === 7 ? 'Frost on the REEDS this morning, 100% of them.' : `Entry for day ${day}.`,
      publishedAt: new Date(Date.UTC(2026, 10, day, 12)),
    });
  }
  // 03:00 UTC on December 1st is still November 30th in New York.
  await addPost(ctx.db, { title: 'Late night', slug: 'late-night', publishedAt: new Date('2026-12-01T03:00:00Z') });
  await addPost(ctx.db, { title: 'December', slug: 'december', publishedAt: new Date('2026-12-02T15:00:00Z') });
  await addPost(ctx.db, { title: 'Reeds draft', slug: 'reeds-draft', status: 'draft', bodyMarkdown: 'reeds' });
});
afterAll(() => ctx.close());

const titlesOn = (html: string) => [...html.matchAll(/class="entry-title"><a href="[^"]+">([^<]+)</g)].map((m) => m[1]);

describe('the home page', () => {
  it('shows ten posts a page, newest first, with links between pages', async () => {
    const first = (await request(ctx.app).get('/').expect(200)).text;
    expect(titlesOn(first)).toEqual([
      'December',
      'Late night',
      ...[23, 22, 21, 20, 19, 18, 17, 16].map((d) => `Day ${d}`),
    ]);
    expect(first).toContain('Page 1 of 3');
    expect(first).toContain('<a class="next" rel="next" href="/page/2">← Older posts</a>');
    const second = (await request(ctx.app).get('/page/2').expect(200)).text;
    expect(titlesOn(second)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6].map((d) => `Day ${d}`));
    expect(second).toContain('<a class="prev" rel="prev" href="/">Newer posts →</a>');
    expect(second).toContain('<title>Page 2 – marginalia</title>');
    const third = (await request(ctx.app).get('/page/3').expect(200)).text;
    expect(titlesOn(third)).toEqual(['Day 5', 'Day 4', 'Day 3', 'Day 2', 'Day 1']);
    expect(third).not.toContain('Older posts');
    for (const past of ['/page/4', '/page/0', '/page/two']) await request(ctx.app).get(past).expect(404);
  });

  it('drops its kept pages when a post is published', async () => {
    expect(titlesOn((await request(ctx.app).get('/page/3').expect(200)).text)).toHaveLength(5);
    await request(ctx.app).post('/admin/api/posts').set(auth).send({ title: 'Brand new', body: 'Words.' }).expect(201);
    expect(titlesOn((await request(ctx.app).get('/').expect(200)).text)[0]).toBe('Brand new');
    expect(titlesOn((await request(ctx.app).get('/page/3').expect(200)).text)).toHaveLength(6);
    await request(ctx.app)
      .delete(`/admin/api/posts/${(await ctx.db.post.findUniqueOrThrow({ where: { slug: 'brand-new' } })).id}`)
      .set(auth)
      .expect(200);
  });
});

describe('monthly archives', () => {
  it("list a month's posts by the site's time zone, and every month with posts", async () => {
    const november = (await request(ctx.app).get('/2026/11').expect(200)).text;
    expect(november).toContain('Posts from November 2026');
    expect(titlesOn(november)).toEqual(['Late night', ...[23, 22, 21, 20, 19, 18, 17, 16, 15].map((d) => `Day ${d}`)]);
    expect(november).toContain('href="/2026/11/page/2"');
    expect(titlesOn((await request(ctx.app).get('/2026/11/page/3').expect(200)).text)).toEqual([
      'Day 4',
      'Day 3',
      'Day 2',
      'Day 1',
    ]);
    expect(titlesOn((await request(ctx.app).get('/2026/12/').expect(200)).text)).toEqual(['December']);
    for (const none of ['/2026/13', '/2026/00', '/26/11', '/2026/11/page/4'])
      await request(ctx.app).get(none).expect(404);
    const archives = (await request(ctx.app).get('/archives').expect(200)).text;
    expect(archives).toMatch(
      /<a href="\/2026\/12">December 2026<\/a> \(1\)<\/li>\s*<li><a href="\/2026\/11">November 2026<\/a> \(24\)/,
    );
  });
});

describe('the search', () => {
  it('finds published posts by title or text, case aside, and keeps the words through its pages', async () => {
    const found = (await request(ctx.app).get('/?s=reeds').expect(200)).text;
    expect(titlesOn(found)).toEqual(['Day 7']);
    expect(found).toContain('Search results for “reeds”');
    expect(found).toContain('name="s" type="search" value="reeds"');
    expect(titlesOn((await request(ctx.app).get('/?s=DAY%202').expect(200)).text)).toEqual([
      'Day 23',
      'Day 22',
      'Day 21',
      'Day 20',
      'Day 2',
    ]);
    // % and _ are themselves, not wildcards.
    expect(titlesOn((await request(ctx.app).get('/?s=100%25').expect(200)).text)).toEqual(['Day 7']);
    expect(titlesOn((await request(ctx.app).get('/?s=D_y').expect(200)).text)).toEqual([]);
    const none = (await request(ctx.app).get('/?s=%3Cscript%3Ezebra').expect(200)).text;
    expect(none).toContain('No post holds those words.');
    expect(none).toContain('Search results for “&lt;script&gt;zebra”');
    const many = (await request(ctx.app).get('/?s=entry').expect(200)).text;
    expect(many).toContain('href="/page/2?s=entry"');
    expect(titlesOn((await request(ctx.app).get('/page/3?s=entry').expect(200)).text)).toEqual(['Day 2', 'Day 1']);
  });
});
