import { createServer } from 'node:http';
import request from 'supertest';
import { createFormTimestamps } from '../../src/comments/form-timestamp';
import { addComment, addPost } from '../helpers/factories';
import { commentIdIn, fieldValue, formBody, formStampOf } from '../helpers/html';
import {
  apiToken,
  asModerator,
  csrfTokenIn,
  moderatorEnv,
  type ModeratorAgent,
  moderationSettingsForm,
} from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The page cache on. Factories write straight to the database, below the app: a change made that
// way is (rightly) not seen until something the app does invalidates the page, which is how these
// tests tell a cached page from a fresh one.

let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on', MODERATION_MODE: 'approve' });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

const get = (path: string) => request(ctx.app).get(path);
const api = (method: 'patch' | 'post', path: string, body: object) =>
  request(ctx.app)[method](`/admin/api${path}`).set('Authorization', `Bearer ${apiToken}`).send(body);

async function cachedPost() {
  const post = await addPost(ctx.db, { title: 'Cached' });
  const approved = await addComment(ctx.db, post.id, { text: 'shown from the start' });
  expect((await get(`/posts/${post.slug}`)).text).toContain('shown from the start');
  // Written below the app: the kept page does not know.
  const hidden = await addComment(ctx.db, post.id, { text: 'written behind the cache', status: 'pending' });
  return { post, approved, hidden };
}

/** The cookie the comment form sets for a commenter who ticks "Save my name, email, and website". */
async function savedDetailsCookie(
  context: TestContext,
  details: { author: string; email: string; url: string },
): Promise<string> {
  const post = await addPost(context.db);
  const res = await request(context.app)
    .post(`/posts/${post.slug}/comments`)
    .type('form')
    .send(formBody({ comment: `Saving my details, ${details.email}`, ...details, 'wp-comment-cookies-consent': 'yes' }))
    .expect(303);
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const saved = cookies.find((cookie) => cookie.startsWith('marginalia_commenter='));
  if (!saved) throw new Error('no saved-details cookie');
  return saved.split(';')[0]!;
}

describe('serving from the cache', () => {
  it('serves a kept page until something the app does changes it', async () => {
    const { post } = await cachedPost();
    await addComment(ctx.db, post.id, { text: 'approved behind the cache' });
    expect((await get(`/posts/${post.slug}`)).text).not.toContain('approved behind the cache');
  });

  it('sends shared pages with a CDN-friendly Cache-Control and an ETag, and 304 when unchanged', async () => {
    const { post } = await cachedPost();
    const first = await get(`/posts/${post.slug}`);
    expect(first.headers['cache-control']).toBe('public, max-age=0, s-maxage=10, stale-while-revalidate=60');
    // The content's digest, and the period of the form's life its stamp is from.
    expect(first.headers.etag).toMatch(/^W\/"[\w-]+\.\d+"$/);
    const again = await get(`/posts/${post.slug}`).set('If-None-Match', first.headers.etag!);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('gives shared pages a valid form timestamp, renewed every second', async () => {
    const { post } = await cachedPost();
    const stamps = createFormTimestamps('test-secret-that-is-at-least-32-characters');
    const a = formStampOf((await get(`/posts/${post.slug}`)).text);
    // A shared stamp is the start of its second: valid, and at most a second (plus the request) old.
    expect(stamps.ageOf(a, ctx.clock.now())).toBeLessThan(2000);
    ctx.clock.advance(1000);
    const b = formStampOf((await get(`/posts/${post.slug}`)).text);
    expect(b).not.toBe(a);
    expect(stamps.ageOf(b, ctx.clock.now())).toBeLessThan(2000);
    expect(stamps.ageOf(a, ctx.clock.now())).toBeGreaterThanOrEqual(1000);
  });

  it('keeps a comment that spells out the form stamp’s slot as written, and the form’s stamp valid', async () => {
    const post = await addPost(ctx.db);
    // A commenter guessing the slot's name must not move the per-visitor stamp into their comment.
    await addComment(ctx.db, post.id, { text: 'I say __FORM_STAMP__ here' });
    const stamps = createFormTimestamps('test-secret-that-is-at-least-32-characters');
    for (let i = 0; i < 2; i += 1) {
      const html = (await get(`/posts/${post.slug}`)).text;
      expect(html).toContain('I say __FORM_STAMP__ here');
      expect(stamps.ageOf(formStampOf(html), ctx.clock.now())).toBeLessThan(2000);
    }
  });

  it('sends kept pages compressed to browsers that accept it (Brotli first, else gzip), the same page either way', async () => {
    const { post } = await cachedPost();
    const plain = await get(`/posts/${post.slug}`).set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    const brotli = await get(`/posts/${post.slug}`).set('Accept-Encoding', 'gzip, deflate, br, zstd');
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.text.replace(/name="form_ts" value="[^"]+"/, '')).toBe(
      plain.text.replace(/name="form_ts" value="[^"]+"/, ''),
    );
    const zipped = await get(`/posts/${post.slug}`).set('Accept-Encoding', 'gzip, deflate');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(Number(zipped.headers['content-length'])).toBeLessThan(Number(plain.headers['content-length']));
    expect(zipped.headers.etag).toBe(plain.headers.etag);
    const withoutStamp = (html: string) => html.replace(/name="form_ts" value="[^"]+"/, '');
    expect(withoutStamp(zipped.text)).toBe(withoutStamp(plain.text));
    expect(stampAgeMs(formStampOf(zipped.text))).toBeLessThan(2000);
    const refused = await get(`/posts/${post.slug}`).set('Accept-Encoding', 'gzip;q=0, identity');
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('keeps the home page too, and drops it when a comment is approved', async () => {
    const post = await addPost(ctx.db, { title: 'Counted on the home page' });
    expect((await get('/')).text).toMatch(new RegExp(`${post.slug}#comments">No comments`));
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Counted', author: 'A', email: 'a@example.com' })
      .expect(201);
    expect((await get('/')).text).toMatch(new RegExp(`${post.slug}#comments">1 comment`));
  });
});

describe('exact invalidation', () => {
  it('a new approved comment shows at once', async () => {
    const { post } = await cachedPost();
    await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Fresh and approved', author: 'F', email: 'f@example.com' })
      .expect(201);
    expect((await get(`/posts/${post.slug}`)).text).toContain('Fresh and approved');
  });

  it('a moderator approving from the admin area shows at once', async () => {
    const { post, hidden } = await cachedPost();
    await moderator
      .post('/admin/comments/moderate')
      .type('form')
      .send({ _csrf: moderator.csrf, single: `approve:${hidden.id}` })
      .expect(303);
    expect((await get(`/posts/${post.slug}`)).text).toContain('written behind the cache');
  });

  it('spam or trash through the admin API disappears at once', async () => {
    const { post, approved } = await cachedPost();
    await api('post', '/comments/bulk', { ids: [approved.id], status: 'spam' }).expect(200);
    expect((await get(`/posts/${post.slug}`)).text).not.toContain('shown from the start');
  });

  it('an edited comment shows its new text at once', async () => {
    const { post, approved } = await cachedPost();
    await api('patch', `/comments/${approved.id}`, { comment: 'shown, then edited' }).expect(200);
    expect((await get(`/posts/${post.slug}`)).text).toContain('shown, then edited');
  });

  it('an edited post shows at once, under its new address too', async () => {
    const { post } = await cachedPost();
    await api('patch', `/posts/${post.id}`, { title: 'Renamed and cached' }).expect(200);
    expect((await get(`/posts/${post.slug}`)).text).toContain('<h1 class="entry-title">Renamed and cached</h1>');
    expect((await get('/')).text).toContain('Renamed and cached');
  });

  it('changed settings (closing old posts) show at once', async () => {
    const old = await addPost(ctx.db, { publishedAt: new Date('2020-01-01T00:00:00Z') });
    expect((await get(`/posts/${old.slug}`)).text).toContain('Leave a Reply');
    const page = await moderator.get('/admin/settings');
    await moderator
      .post('/admin/settings')
      .type('form')
      .send({ ...moderationSettingsForm, _csrf: csrfTokenIn(page.text), closeAfterDays: '365' })
      .expect(303);
    expect((await get(`/posts/${old.slug}`)).text).toContain('Comments are closed.');
    await moderator
      .post('/admin/settings')
      .type('form')
      .send({ ...moderationSettingsForm, _csrf: moderator.csrf })
      .expect(303);
  });
});

describe('personal pages are never shared', () => {
  it('a submitter’s pending comment and a saved form stay theirs, uncached', async () => {
    const held = await buildTestApp({ PAGE_CACHE: 'on' });
    try {
      const heldPost = await addPost(held.db);
      await request(held.app).get(`/posts/${heldPost.slug}`).expect(200);
      const submitter = request.agent(held.app);
      await submitter
        .post(`/posts/${heldPost.slug}/comments`)
        .type('form')
        .send(
          formBody({
            comment: 'Mine alone for now',
            author: 'Pia',
            email: 'pia@example.com',
            'wp-comment-cookies-consent': 'yes',
          }),
        )
        .expect(303);
      const own = await submitter.get(`/posts/${heldPost.slug}`);
      expect(own.text).toContain('Mine alone for now');
      expect(fieldValue(own.text, 'email')).toBe('pia@example.com');
      expect(own.headers['cache-control']).toBe('private, no-store');
      expect(own.headers.etag).toBeUndefined();
      const stranger = await request(held.app).get(`/posts/${heldPost.slug}`);
      expect(stranger.text).not.toContain('Mine alone for now');
      expect(stranger.text).not.toContain('pia@example.com');
      expect(stranger.headers['cache-control']).toBe('public, max-age=0, s-maxage=10, stale-while-revalidate=60');
    } finally {
      await held.close();
    }
  });

  it('a reader who saved their details gets the kept page with them in the form, privately', async () => {
    const saved = await savedDetailsCookie(ctx, {
      author: 'Sal "the saver" <S>',
      email: 'sal@example.com',
      url: 'https://sal.example/',
    });
    const { post } = await cachedPost();
    await addComment(ctx.db, post.id, { text: 'approved behind the cache' });
    const reader = await get(`/posts/${post.slug}`).set('Cookie', saved).set('Accept-Encoding', 'gzip, br');
    // The kept page (it does not know of the comment written behind it)...
    expect(reader.text).toContain('shown from the start');
    expect(reader.text).not.toContain('approved behind the cache');
    // ...with this reader's details, escaped, and a form stamp of their own.
    expect(fieldValue(reader.text, 'author')).toBe('Sal "the saver" <S>');
    expect(reader.text).toContain('value="Sal &quot;the saver&quot; &lt;S&gt;"');
    expect(fieldValue(reader.text, 'email')).toBe('sal@example.com');
    expect(fieldValue(reader.text, 'url')).toBe('https://sal.example/');
    expect(reader.text).toMatch(/id="wp-comment-cookies-consent"[^>]*value="yes" checked>/);
    const stamps = createFormTimestamps('test-secret-that-is-at-least-32-characters');
    expect(stamps.ageOf(formStampOf(reader.text), ctx.clock.now())).toBeLessThan(2000);
    expect(reader.headers['cache-control']).toBe('private, no-store');
    expect(reader.headers['content-encoding']).toBeUndefined();
    expect(reader.headers.etag).toBeUndefined();
    expect(Number(reader.headers['content-length'])).toBe(Buffer.byteLength(reader.text));
    // The kept page itself is untouched: the next reader gets empty fields.
    const stranger = await get(`/posts/${post.slug}`).set('Accept-Encoding', 'identity');
    expect(stranger.text).not.toContain('sal@example.com');
    expect(fieldValue(stranger.text, 'author')).toBe('');
    expect(stranger.text).toMatch(/id="wp-comment-cookies-consent"[^>]*value="yes">/);
  });

  it('gives a reader who saved their details the same page a full render would', async () => {
    const apps = [await buildTestApp({ PAGE_CACHE: 'on' }), await buildTestApp({ PAGE_CACHE: 'off' })];
    try {
      const pages: string[] = [];
      for (const app of apps) {
        const post = await addPost(app.db, {
          slug: 'one-and-the-same',
          title: 'One and the same',
          bodyMarkdown: 'The same body.',
          publishedAt: new Date(Date.UTC(2026, 1, 1)),
        });
        const first = await addComment(app.db, post.id, {
          text: 'First words',
          authorName: 'Ann',
          authorEmail: 'ann@example.com',
          createdAt: new Date(Date.UTC(2026, 1, 2)),
        });
        await addComment(app.db, post.id, {
          text: 'A reply',
          authorName: 'Bo',
          authorEmail: 'bo@example.com',
          parentId: first.id,
          createdAt: new Date(Date.UTC(2026, 1, 3)),
        });
        const saved = await savedDetailsCookie(app, { author: 'Cy', email: 'cy@example.com', url: '' });
        const html = (await request(app.app).get(`/posts/${post.slug}`).set('Cookie', saved)).text;
        pages.push(html.replace(/name="form_ts" value="[^"]*"/, 'name="form_ts" value=""'));
      }
      expect(fieldValue(pages[0]!, 'email')).toBe('cy@example.com');
      expect(pages[0]).toBe(pages[1]);
    } finally {
      for (const app of apps) await app.close();
    }
  });

  it('a commenter whose own comments no longer change the page gets the shared, kept page', async () => {
    const commenter = request.agent(ctx.app);
    // Through the form as a person sends it (with its timestamp), so each is approved at once.
    const say = async (slug: string, comment: string) => {
      const form_ts = formStampOf((await get(`/posts/${slug}`)).text);
      return commenter
        .post(`/posts/${slug}/comments`)
        .type('form')
        .send(formBody({ comment, author: 'Olu', email: 'olu@example.com', form_ts }))
        .expect(303);
    };
    await say((await addPost(ctx.db)).slug, 'Said on another post');
    const { post } = await cachedPost();
    const approvedHere = await say(post.slug, 'Said here, approved');
    const id = commentIdIn(approvedHere.headers.location);
    // Within the edit window the page carries their Edit link: theirs alone.
    const editable = await commenter.get(`/posts/${post.slug}`);
    expect(editable.text).toContain(`/posts/${post.slug}/comments/${id}/edit`);
    expect(editable.headers['cache-control']).toBe('private, no-store');
    // Once the window has passed, nothing on the page is theirs alone.
    ctx.clock.advance(16 * 60_000);
    expect((await get(`/posts/${post.slug}`)).text).toContain('Said here, approved');
    await addComment(ctx.db, post.id, { text: 'approved behind the cache' });
    const later = await commenter.get(`/posts/${post.slug}`);
    expect(later.text).toContain('Said here, approved');
    expect(later.text).not.toContain('approved behind the cache');
    expect(later.text).not.toContain('/edit"');
    expect(later.headers['cache-control']).toBe('public, max-age=0, s-maxage=10, stale-while-revalidate=60');
  });

  it('a refused form is shown to its sender only, and never kept', async () => {
    const post = await addPost(ctx.db);
    const refused = await request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ comment: 'Typed but refused', author: '', email: 'x@example.com' }));
    expect(refused.status).toBe(422);
    expect(refused.headers['cache-control']).toBe('private, no-store');
    expect((await get(`/posts/${post.slug}`)).text).not.toContain('Typed but refused');
  });
});

describe('static assets', () => {
  it('are linked by fingerprinted names and cached for a year', async () => {
    const html = (await get('/')).text;
    const css = /href="(\/assets\/site\.[0-9a-f]{10}\.css)"/.exec(html)![1]!;
    const res = await get(css).expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toMatch(/text\/css/);
    expect((await get('/assets/site.0000000000.css')).status).toBe(404);
    expect((await get('/assets/site.css')).headers['cache-control']).toBe('public, max-age=3600');
  });
});

describe('the fast path for kept pages', () => {
  const securityHeaderNames = [
    'content-security-policy',
    'x-content-type-options',
    'referrer-policy',
    'x-frame-options',
    'strict-transport-security',
    'cross-origin-opener-policy',
  ];

  it('answers a kept page with the same security headers, body and log line as the full stack', async () => {
    const post = await addPost(ctx.db, { title: 'Fast' });
    const miss = await get(`/posts/${post.slug}`);
    const lines = ctx.logLines.length;
    const hit = await get(`/posts/${post.slug}`);
    for (const name of securityHeaderNames) expect(hit.headers[name]).toBe(miss.headers[name]);
    expect(hit.headers['x-powered-by']).toBeUndefined();
    expect(hit.headers.etag).toBe(miss.headers.etag);
    expect(hit.text.replace(/name="form_ts" value="[^"]+"/, '')).toBe(
      miss.text.replace(/name="form_ts" value="[^"]+"/, ''),
    );
    const logged = ctx.logLines.slice(lines).map((line) => JSON.parse(line));
    expect(logged).toEqual([
      expect.objectContaining({
        req: { method: 'GET', path: `/posts/${post.slug}` },
        res: { statusCode: 200 },
        msg: 'request completed',
      }),
    ]);
  });

  it('answers HEAD with headers only', async () => {
    const post = await addPost(ctx.db);
    await get(`/posts/${post.slug}`);
    const head = await request(ctx.app).head(`/posts/${post.slug}`);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.text).toBeUndefined();
  });

  it('leaves a visitor with their own cookies, or a reply target, to the full stack', async () => {
    const post = await addPost(ctx.db);
    await get(`/posts/${post.slug}`);
    const author = request.agent(ctx.app);
    const posted = await author
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ comment: 'Mine, via the form', author: 'Me', email: 'me@example.com' }));
    expect(String(posted.headers['set-cookie'])).toContain('marginalia_own_comments=');
    const own = await author.get(`/posts/${post.slug}`);
    expect(own.headers['cache-control']).toBe('private, no-store');
    const replying = await get(`/posts/${post.slug}?replytocom=1`);
    expect(replying.headers.etag).toBeUndefined();
  });
});

describe('the fast path in front of Express (as the server runs it)', () => {
  it('answers kept pages with the headers the full stack gives, and hands everything else to Express', async () => {
    const server = createServer(ctx.app);
    const post = await addPost(ctx.db, { title: 'Through the listener' });
    const miss = await request(server).get(`/posts/${post.slug}`).expect(200);
    const lookups = ctx.app.pageCache!.stats().lookups;
    const hit = await request(server).get(`/posts/${post.slug}`).set('Accept-Encoding', 'gzip').expect(200);
    // Answered by the fast path alone: the route, which looks the page up too, never saw it.
    expect(ctx.app.pageCache!.stats().lookups - lookups).toBe(1);
    expect(hit.headers['content-security-policy']).toBe(miss.headers['content-security-policy']);
    expect(hit.headers['content-encoding']).toBe('gzip');
    expect(hit.text).toContain('<h1 class="entry-title">Through the listener</h1>');
    expect(stampAgeMs(formStampOf(hit.text))).toBeLessThan(2000);
    await request(server).get('/admin/api/comments').expect(401);
    await request(server).post(`/posts/${post.slug}/comments`).type('form').send('comment=').expect(422);
  });
});

/** The age of a form stamp the shared test app issued, by its clock. */
function stampAgeMs(stamp: string): number | null {
  return createFormTimestamps('test-secret-that-is-at-least-32-characters').ageOf(stamp, ctx.clock.now());
}
