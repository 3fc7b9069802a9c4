import { parseFeed } from '@rowanmanning/feed-parser';
import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { apiToken, asModerator, csrfTokenIn, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The blog's title, tagline, the author's name, time zone and comments per page, set in the admin
// area over the environment's defaults, and on every page from the next request.

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  ctx = await buildTestApp({
    ...moderatorEnv,
    PAGE_CACHE: 'on',
    SITE_TITLE: 'From the environment',
    COMMENTS_PER_PAGE: '50',
  });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

const save = async (fields: Record<string, string>) => {
  const form = await moderator.get('/admin/settings/site').expect(200);
  return moderator
    .post('/admin/settings/site')
    .type('form')
    .send({ _csrf: csrfTokenIn(form.text), ...fields });
};

it('starts from the environment, and saved settings reach every page, feed and reply', async () => {
  const post = await addPost(ctx.db, { title: 'Evening', publishedAt: new Date('2026-07-31T23:30:00Z') });
  for (let n = 0; n < 3; n += 1) await addComment(ctx.db, post.id, { status: 'approved', text: `Thread ${n}` });
  const before = await moderator.get('/admin/settings/site').expect(200);
  expect(before.text).toContain('id="title" name="title" type="text" value="From the environment"');
  const home = (await request(ctx.app).get('/').expect(200)).text;
  expect(home).toContain('<p class="site-title"><a href="/" rel="home">From the environment</a></p>');
  expect(home).toContain('July 31, 2026');

  const res = await save({
    title: 'Tide Tables',
    tagline: 'Notes from the river',
    displayName: 'Marta Ribeiro',
    timeZone: 'europe/lisbon',
    commentsPerPage: '2',
  });
  expect(res.status).toBe(303);
  // Saved by its standard name.
  expect((await ctx.db.siteSettings.findUniqueOrThrow({ where: { id: 1 } })).timeZone).toBe('Europe/Lisbon');
  expect((await moderator.get('/admin/settings/site')).text).toContain('Settings saved.');

  const after = (await request(ctx.app).get('/').expect(200)).text;
  expect(after).toContain('<p class="site-title"><a href="/" rel="home">Tide Tables</a></p>');
  expect(after).toContain('Notes from the river');
  // 23:30 UTC on July 31st is August 1st in Lisbon (summer time, UTC+1).
  expect(after).toContain('August 1, 2026');
  const article = (await request(ctx.app).get(`/posts/${post.slug}`).expect(200)).text;
  expect(article).toContain('Page 1 of 2');
  expect(parseFeed((await request(ctx.app).get('/feed').expect(200)).text).title).toBe('Tide Tables');

  const question = await addComment(ctx.db, post.id, { status: 'approved', text: 'Any room on the ferry?' });
  const reply = await request(ctx.app)
    .post(`/admin/api/comments/${question.id}/reply`)
    .set(auth)
    .send({ comment: 'Always.' })
    .expect(201);
  expect(reply.body.comment.authorName).toBe('Marta Ribeiro');
});

it('refuses what the environment would refuse, keeping what was typed and saving nothing', async () => {
  const res = await save({ title: '', tagline: 'x', displayName: '', timeZone: 'Lisbon', commentsPerPage: '0' });
  expect(res.status).toBe(422);
  expect(res.text).toContain('Please give the blog a title.');
  expect(res.text).toContain(
    'Choose a time zone of the IANA database, such as Europe/Lisbon, America/New_York or UTC.',
  );
  expect(res.text).toContain('Comments per page must be a whole number from 1 to 1,000.');
  expect(res.text).toContain('id="timeZone" name="timeZone" type="text" value="Lisbon"');
  expect((await ctx.db.siteSettings.findUniqueOrThrow({ where: { id: 1 } })).title).toBe('Tide Tables');
  const forged = await moderator.post('/admin/settings/site').type('form').send({ _csrf: 'wrong', title: 'Hijacked' });
  expect(forged.status).toBe(403);
  expect((await request(ctx.app).get('/').expect(200)).text).not.toContain('Hijacked');
});
