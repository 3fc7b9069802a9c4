import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { apiToken, asModerator, csrfTokenIn, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Images for posts: uploaded from the editor or the API, checked by their contents, stored in the
// database, served at addresses that never change what they show.

const auth = { Authorization: `Bearer ${apiToken}` };
// A 32 × 32 PNG: the one inside the site's own favicon.ico (after its 22-byte ICO header).
const png = readFileSync(path.resolve(__dirname, '..', '..', 'public', 'favicon.ico')).subarray(22);
// The smallest GIF: one transparent pixel (GIF89a, a 2-colour table, one image block).
const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, MEDIA_MAX_MB: '1', PUBLIC_URL: 'https://blog.example' });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

const upload = (bytes: Buffer, name: string, type = 'application/octet-stream') =>
  request(ctx.app)
    .post('/admin/api/media')
    .set(auth)
    .field('alt', 'A small [square]')
    .attach('file', bytes, { filename: name, contentType: type });

it('stores an image from the API and serves it for a year at an address of its own', async () => {
  const res = await upload(png, 'Low Tide (1).PNG', 'image/png');
  expect(res.status).toBe(201);
  const { media } = res.body as { media: { url: string; markdown: string } };
  expect(media).toMatchObject({ name: 'low-tide-1.png', type: 'image/png', width: 32, height: 32, size: png.length });
  expect(media.url).toMatch(/^\/media\/[0-9a-f]{16}\/low-tide-1\.png$/);
  expect(media.markdown).toBe(`![A small \\[square\\]](${media.url})`);
  expect(res.headers.location).toBe(media.url);

  const image = await request(ctx.app).get(media.url).buffer(true).expect(200);
  expect(image.headers['content-type']).toBe('image/png');
  expect(image.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  // Shown in feed readers and other sites too.
  expect(image.headers['cross-origin-resource-policy']).toBe('cross-origin');
  expect(Buffer.compare(image.body as Buffer, png)).toBe(0);
  await request(ctx.app).get(media.url).set('If-None-Match', image.headers.etag!).expect(304);
  await request(ctx.app).get(media.url.replace('low-tide-1.png', 'other.png')).expect(404);
  await request(ctx.app).get('/media/0123456789abcdef/low-tide-1.png').expect(404);

  // The same picture again is the same image, stored once.
  const again = await upload(png, 'low-tide-1.png', 'image/png');
  expect(again.body.media.url).toBe(media.url);
  expect(await ctx.db.media.count()).toBe(1);

  const gifRes = await upload(gif, 'dot.gif', 'image/gif');
  expect(gifRes.body.media).toMatchObject({ name: 'dot.gif', type: 'image/gif', width: 1, height: 1 });
});

it('refuses a file that lies about its type, and anything that is not a picture it shows, storing nothing', async () => {
  const before = await ctx.db.media.count();
  for (const [bytes, name, type] of [
    [Buffer.from('<html><script>alert(1)</script></html>'), 'cat.png', 'image/png'],
    [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'logo.svg', 'image/svg+xml'],
    [Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(4)]), 'broken.gif', 'image/gif'],
  ] as const) {
    const res = await upload(bytes, name, type);
    expect([name, res.status]).toEqual([name, 415]);
    expect(res.body.error.message).toBe(
      'That file is not an image marginalia can show: upload a JPEG, PNG, GIF, WebP or AVIF picture (its contents are checked, not its name).',
    );
  }
  const large = await upload(Buffer.concat([png, Buffer.alloc(1024 * 1024)]), 'huge.png', 'image/png');
  expect(large.status).toBe(413);
  expect(large.body.error.message).toBe('That image is larger than 1 MB. Please make it smaller and upload it again.');
  const none = await request(ctx.app).post('/admin/api/media').set(auth).field('alt', 'x');
  expect(none.status).toBe(400);
  expect(none.body.error.message).toBe('Choose an image to upload.');
  await request(ctx.app).post('/admin/api/media').attach('file', png, 'x.png').expect(401);
  expect(await ctx.db.media.count()).toBe(before);
});

it('uploads from the post editor: JSON for its script, or back to the editor with the line to paste', async () => {
  const editor = await moderator.get('/admin/posts/new').expect(200);
  expect(editor.text).toContain('<form method="post" action="/admin/media" enctype="multipart/form-data"');
  expect(editor.text).toMatch(/<script src="\/assets\/post-editor\.[0-9a-f]{10}\.js" defer><\/script>/);
  const viaScript = await moderator
    .post('/admin/media')
    .set({ 'Sec-Fetch-Site': 'same-origin', Accept: 'application/json' })
    .field('_csrf', moderator.csrf)
    .field('alt', 'Dot')
    .attach('file', gif, 'dot.gif');
  expect(viaScript.status).toBe(201);
  expect(viaScript.body.media.markdown).toMatch(/^!\[Dot\]\(\/media\/[0-9a-f]{16}\/dot\.gif\)$/);

  const withoutScript = await moderator
    .post('/admin/media')
    .set('Sec-Fetch-Site', 'same-origin')
    .field('_csrf', moderator.csrf)
    .field('return', '/admin/posts/new')
    .field('alt', 'Square')
    // Another picture (bytes after a PNG's end are ignored by every reader): a new image.
    .attach('file', Buffer.concat([png, Buffer.from([1])]), 'square.png');
  expect(withoutScript.status).toBe(303);
  expect(withoutScript.headers.location).toBe('/admin/posts/new');
  const back = (await moderator.get('/admin/posts/new')).text;
  expect(back).toMatch(
    /Image uploaded\. Put this line where it goes: !\[Square\]\(\/media\/[0-9a-f]{16}\/square\.png\)/,
  );
  expect(back).toContain('square.png</a> (32 × 32)');

  const forged = await moderator
    .post('/admin/media')
    .set('Sec-Fetch-Site', 'same-origin')
    .field('_csrf', 'not-the-token')
    .attach('file', png, 'forged.png');
  expect(forged.status).toBe(403);
  const fromElsewhere = await moderator
    .post('/admin/media')
    .set('Origin', 'https://evil.example')
    .field('_csrf', moderator.csrf)
    .attach('file', png, 'elsewhere.png');
  expect(fromElsewhere.status).toBe(403);
  expect(await ctx.db.media.count({ where: { name: { in: ['forged.png', 'elsewhere.png'] } } })).toBe(0);
});

it('shows uploaded pictures and pictures from other https sites in posts', async () => {
  const { media } = (await upload(png, 'in-a-post.png', 'image/png')).body as {
    media: { url: string; markdown: string };
  };
  const post = await request(ctx.app)
    .post('/admin/api/posts')
    .set(auth)
    .send({
      title: 'Pictures',
      body: `${media.markdown}\n\n![Elsewhere](https://images.example/a.jpg "A caption")\n\n| a | b |\n|---|--:|\n| 1 | 2 |`,
    })
    .expect(201);
  const page = await request(ctx.app).get(`/posts/${post.body.post.slug}`).expect(200);
  expect(page.text).toContain(`<img src="${media.url}" alt="A small [square]"`);
  expect(page.text).toContain('<figure><img src="https://images.example/a.jpg" alt="Elsewhere"');
  expect(page.text).toContain('<table>');
  // Column alignment as a class: the page's policy refuses inline styles.
  expect(page.text).not.toContain('style=');
  expect(page.text).toContain('<td class="align-right">2</td>');
  // The first picture is the link preview's, absolute (PUBLIC_URL).
  expect(page.text).toContain(`<meta property="og:image" content="https://blog.example${media.url}">`);
  const policy = page.headers['content-security-policy']!;
  expect(policy).toMatch(/img-src 'self' data: https:(;|$)/);
  expect(policy).toMatch(/script-src 'self'(;|$)/);
});

it('deletes an image, after saying where it may still be shown, from the editor and the API', async () => {
  const first = (await upload(Buffer.concat([png, Buffer.from([7])]), 'mistake.png', 'image/png')).body.media as {
    id: number;
    url: string;
  };
  const editor = (await moderator.get('/admin/posts/new').expect(200)).text;
  expect(editor).toContain(`href="/admin/media/${first.id}/delete?return=%2Fadmin%2Fposts%2Fnew">Delete…</a>`);
  const confirm = await moderator.get(`/admin/media/${first.id}/delete?return=/admin/posts/new`).expect(200);
  expect(confirm.text).toContain('a post that shows it will show a broken picture');
  await request(ctx.app).get(first.url).expect(200); // nothing happens on the confirmation page
  const forged = await moderator.post(`/admin/media/${first.id}/delete`).type('form').send({ _csrf: 'wrong' });
  expect(forged.status).toBe(403);
  const done = await moderator
    .post(`/admin/media/${first.id}/delete`)
    .type('form')
    .send({ _csrf: csrfTokenIn(confirm.text), return: '/admin/posts/new' });
  expect(done.status).toBe(303);
  expect((await moderator.get('/admin/posts/new')).text).toContain('Deleted mistake.png.');
  await request(ctx.app).get(first.url).expect(404);

  const second = (await upload(Buffer.concat([png, Buffer.from([8])]), 'another.png', 'image/png')).body.media as {
    id: number;
    url: string;
  };
  const res = await request(ctx.app).delete(`/admin/api/media/${second.id}`).set(auth).expect(200);
  expect(res.body).toEqual({ deleted: { id: second.id, url: second.url } });
  await request(ctx.app).get(second.url).expect(404);
  await request(ctx.app).delete(`/admin/api/media/${second.id}`).set(auth).expect(404);
  await request(ctx.app).delete(`/admin/api/media/${second.id}`).expect(401);
});
