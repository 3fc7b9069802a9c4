import request from 'supertest';
import { importFixture } from '../helpers/import-fixtures';
import { apiToken, asModerator, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Imports from the admin area (a form upload) and the admin API (the same, with the token). Both
// run the importer in a child process on the app's own database file.

let ctx: TestContext;
let moderator: ModeratorAgent;
beforeEach(async () => {
  ctx = await buildTestApp(moderatorEnv);
  moderator = await asModerator(ctx.app);
});
afterEach(() => ctx.close());

describe('the admin area', () => {
  it('shows the form, and imports an uploaded WordPress export, showing the report', async () => {
    const form = await moderator.get('/admin/import').expect(200);
    expect(form.text).toContain('enctype="multipart/form-data"');
    const dry = await moderator
      .post('/admin/import')
      .set('Sec-Fetch-Site', 'same-origin')
      .field('_csrf', moderator.csrf)
      .field('format', 'wordpress')
      .field('dryRun', 'yes')
      .attach('file', importFixture('wxr-1.2.xml'));
    expect(dry.status).toBe(200);
    expect(dry.text).toContain('Dry run: nothing was written.');
    expect(dry.text).toContain('The spam filter would learn from 5 of them (approved as legitimate, spam as spam)');
    expect(await ctx.db.comment.count()).toBe(0);
    const res = await moderator
      .post('/admin/import')
      .set('Sec-Fetch-Site', 'same-origin')
      .field('_csrf', moderator.csrf)
      .field('format', 'wordpress')
      .attach('file', importFixture('wxr-1.2.xml'));
    expect(res.status).toBe(200);
    expect(res.text).toContain('Comments: 4 approved, 1 pending, 1 spam, 1 trash; 0 already here');
    expect(res.text).toContain('Skipped: 1 pingbacks, 1 trackbacks, 1 attachment items');
    expect(res.text).toContain('The spam filter learned from 5 of them (approved as legitimate, spam as spam)');
    expect(await ctx.db.comment.count()).toBe(7);
  });

  it('a malformed file: 422, the reason with its line, nothing written; no file or format: messages next to the fields', async () => {
    const broken = await moderator
      .post('/admin/import')
      .set('Sec-Fetch-Site', 'same-origin')
      .field('_csrf', moderator.csrf)
      .field('format', 'wordpress')
      .attach('file', importFixture('malformed.xml'));
    expect(broken.status).toBe(422);
    expect(broken.text).toMatch(/Nothing was imported: The file is not well-formed XML: .*malformed\.xml:160:\d+/);
    // The choice made is kept (a browser cannot be given the file again).
    expect(broken.text).toMatch(/value="wordpress" checked/);
    expect(await ctx.db.post.count()).toBe(0);
    const empty = await moderator
      .post('/admin/import')
      .set('Sec-Fetch-Site', 'same-origin')
      .field('_csrf', moderator.csrf)
      .field('format', 'myspace');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('id="format-error"');
    expect(empty.text).toContain('Choose the export file to import.');
  });

  it('refuses an upload without the CSRF token, and anyone not signed in', async () => {
    const forged = await moderator
      .post('/admin/import')
      .set('Sec-Fetch-Site', 'same-origin')
      .field('_csrf', 'forged')
      .field('format', 'wordpress')
      .attach('file', importFixture('wxr-1.2.xml'));
    expect(forged.status).toBe(403);
    const stranger = await request(ctx.app)
      .post('/admin/import')
      .field('format', 'wordpress')
      .attach('file', importFixture('wxr-1.2.xml'));
    expect(stranger.status).toBe(303);
    expect(stranger.headers.location).toMatch(/^\/admin\/login/);
    expect(await ctx.db.comment.count()).toBe(0);
  });
});

describe('the admin API', () => {
  const upload = (format: string, file: string, token = apiToken) =>
    request(ctx.app)
      .post('/admin/api/imports')
      .set('Authorization', `Bearer ${token}`)
      .field('format', format)
      .attach('file', importFixture(file));

  it('runs one import at a time: a second sent meanwhile is told to wait for the first', async () => {
    const answers = await Promise.all([upload('wordpress', 'wxr-1.2.xml'), upload('wordpress', 'wxr-1.2.xml')]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
    const refused = answers.find((res) => res.status === 409)!;
    expect(refused.body.error.message).toBe('Another import is running. Please try again when it has finished.');
    expect(await ctx.db.comment.count()).toBe(7);
    expect((await upload('wordpress', 'wxr-1.2.xml')).status).toBe(200);
  });

  it('imports Disqus after WordPress and answers with the report', async () => {
    expect((await upload('wordpress', 'wxr-1.2.xml')).status).toBe(200);
    const res = await upload('disqus', 'disqus.xml');
    expect(res.status).toBe(200);
    expect(res.body.report).toMatchObject({
      format: 'disqus',
      posts: { created: 1, alreadyImported: 1 },
      comments: { created: { approved: 3, spam: 1, trash: 1 } },
      orphans: ['7006'],
    });
  });

  it('answers 422 import_failed for a malformed file, 401 without the token, 415 without an upload', async () => {
    const broken = await upload('wordpress', 'malformed.xml');
    expect(broken.status).toBe(422);
    expect(broken.body.error).toMatchObject({
      code: 'import_failed',
      message: expect.stringContaining('malformed.xml:160:'),
    });
    expect((await upload('wordpress', 'wxr-1.2.xml', 'wrong-token-0123456789abcdef0123456789')).status).toBe(401);
    const notUpload = await request(ctx.app)
      .post('/admin/api/imports')
      .set('Authorization', `Bearer ${apiToken}`)
      .send({ format: 'wordpress' });
    expect(notUpload.status).toBe(415);
    expect(await ctx.db.post.count()).toBe(0);
  });
});
