import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { normalizePageUrl, parseOriginList } from '../../src/embeds/page-address';
import { formStampOf } from '../helpers/html';
import { apiToken, asModerator, moderatorEnv } from '../helpers/moderator';
import { sendFirstComment } from '../helpers/embeds';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Threads for pages on other sites (issue 23), over HTTP: the frame's pages and their framing,
// the first comment that makes a page's thread, one thread per page however its address is
// written, comment counts with CORS for the allowed sites only, and the loader of embed.js.

const blog = 'https://blog.example';
let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, EMBED_ORIGINS: `${blog}, https://www.blog.example/`, PAGE_CACHE: 'on' });
});
afterAll(() => ctx.close());

const embedThreads = () => ctx.db.post.findMany({ where: { kind: 'embed' }, orderBy: { id: 'asc' } });

/** The frame's form for a page, and what it needs to post a first comment. */
function frameFor(url: string, title = 'A week in Lisbon') {
  return request(ctx.app).get('/embed/thread').query({ url, title });
}

async function postFirst(url: string, fields: Record<string, string>, status: number) {
  // The form's stamp, from a frame with the form (a page with no thread).
  const frame = await frameFor(`${blog}/a-page-with-no-thread`);
  const res = await sendFirstComment(ctx.app, {
    page_url: url,
    page_title: 'A week in Lisbon',
    form_ts: formStampOf(frame.text),
    comment_parent: '0',
    ...fields,
  });
  expect({ url, status: res.status }).toEqual({ url, status });
  return res;
}

describe('page addresses', () => {
  it('writes one page one way: scheme and host case, default port, last slash, index.html, fragment', () => {
    const one = 'https://blog.example/posts/lisbon';
    for (const written of [
      'https://blog.example/posts/lisbon',
      'HTTPS://Blog.Example/posts/lisbon/',
      'https://blog.example:443/posts/lisbon',
      'https://blog.example/posts/lisbon/index.html',
      'https://blog.example/posts/lisbon#comments',
      '  https://blog.example/posts/lisbon/  ',
    ])
      expect({ written, normalized: normalizePageUrl(written) }).toEqual({ written, normalized: one });
    expect(normalizePageUrl('https://blog.example')).toBe('https://blog.example/');
    expect(normalizePageUrl('http://blog.example:8080/a/')).toBe('http://blog.example:8080/a');
    // A query is not part of a static page's address (else every link with one would make a thread).
    expect(normalizePageUrl('https://blog.example/a/?utm_source=feed&v=2')).toBe('https://blog.example/a');
    // Escapes of plain characters undone, the others in upper case.
    expect(normalizePageUrl('https://blog.example/posts/%6cisbon')).toBe('https://blog.example/posts/lisbon');
    expect(normalizePageUrl('https://blog.example/caf%c3%a9')).toBe('https://blog.example/caf%C3%A9');
    expect(normalizePageUrl('https://blog.example/café')).toBe('https://blog.example/caf%C3%A9');
    // Normalizing a normalized address changes nothing.
    for (const written of [
      'https://blog.example/x/index.html/',
      'https://blog.example/a/%2e',
      'https://blog.example/a/%2E%2e/b/',
    ])
      expect(normalizePageUrl(normalizePageUrl(written)!)).toBe(normalizePageUrl(written));
    expect(normalizePageUrl('https://blog.example/x/index.html/')).toBe('https://blog.example/x');
    expect(normalizePageUrl('https://bücher.example/a')).toBe('https://xn--bcher-kva.example/a');
    for (const refused of [
      'javascript:alert(1)',
      'ftp://blog.example/a',
      '/posts/a',
      'https://u:p@blog.example/',
      '',
      'https://*.blog.example/a',
      'https://a;b/c',
    ])
      expect({ refused, normalized: normalizePageUrl(refused) }).toEqual({ refused, normalized: null });
  });

  it('reads EMBED_ORIGINS as origins, naming what is not one', () => {
    expect(parseOriginList('https://blog.example, https://www.blog.example/,http://localhost:4000')).toEqual({
      origins: ['https://blog.example', 'https://www.blog.example', 'http://localhost:4000'],
      invalid: [],
    });
    expect(
      parseOriginList('https://blog.example/posts, blog.example, https://*.evil.example, https://a;b').invalid,
    ).toEqual(['https://blog.example/posts', 'blog.example', 'https://*.evil.example', 'https://a;b']);
  });
});

describe('the frame', () => {
  it('shows an allowed page’s form, framed only by the allowed sites, and makes nothing by looking', async () => {
    const res = await frameFor('https://blog.example/posts/lisbon/').expect(200);
    expect(res.text).toContain('action="/embed/threads"');
    expect(res.text).toContain('name="page_url" value="https://blog.example/posts/lisbon"');
    for (const field of ['comment', 'author', 'email', 'url']) expect(res.text).toContain(`name="${field}"`);
    expect(res.headers['content-security-policy']).toContain(
      'frame-ancestors https://blog.example https://www.blog.example',
    );
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.text).not.toMatch(/<script>|<script [^>]*>[^<]/);
    expect(await embedThreads()).toHaveLength(0);
    // Our own pages still may not be framed by anyone.
    const home = await request(ctx.app).get('/').expect(200);
    expect(home.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(home.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a page of a site that is not allowed, and an address that is not one', async () => {
    const other = await frameFor('https://elsewhere.example/posts/lisbon').expect(403);
    expect(other.text).toContain('Comments cannot be shown on this site');
    await frameFor('javascript:alert(1)').expect(400);
    await request(ctx.app).get('/embed/thread').expect(400);
    expect(await embedThreads()).toHaveLength(0);
  });
});

describe('the first comment of a page', () => {
  it('is refused with the form again as typed, leaving no thread; then makes the thread', async () => {
    const url = 'https://blog.example/posts/first';
    const refused = await postFirst(url, { comment: 'Lovely trams.', author: 'Inês', email: '' }, 422);
    expect(refused.text).toContain('Lovely trams.');
    expect(refused.text).toContain('action="/embed/threads"');
    expect(await ctx.db.post.count({ where: { embedUrl: url } })).toBe(0);

    const posted = await postFirst(url, { comment: 'Lovely trams.', author: 'Inês', email: 'ines@example.org' }, 303);
    const [thread] = await ctx.db.post.findMany({ where: { embedUrl: url } });
    expect(thread).toMatchObject({ kind: 'embed', title: 'A week in Lisbon', status: 'published' });
    // A page title is held to the one-line text rules (it shows in feeds, where a control
    // character would break the XML); none at all, the address stands for it.
    const stamp = formStampOf((await frameFor(`${blog}/a-page-with-no-thread`)).text);
    for (const [pageTitle, title] of [
      ['  Bell\u0007 tower\n notes\u200B ', 'Bell tower  notes'],
      ['', 'https://blog.example/posts/untitled-1'],
    ] as const) {
      const page = title.startsWith('https') ? title : 'https://blog.example/posts/titled';
      await sendFirstComment(ctx.app, {
        page_url: page,
        page_title: pageTitle,
        form_ts: stamp,
        comment: `On ${page}`,
        author: 'T',
        email: 't@example.org',
      }).expect(303);
      expect((await ctx.db.post.findFirstOrThrow({ where: { embedUrl: page } })).title).toBe(title);
    }
    expect(posted.headers.location).toMatch(new RegExp(`^/embed/posts/${thread!.slug}#comment-\\d+$`));
    // The commenter's proof is a partitioned cookie: kept when third-party cookies are blocked.
    const cookies = [posted.headers['set-cookie'] ?? []].flat().join('\n');
    expect(cookies).toMatch(/marginalia_embed_own_comments=[^;]+;.*Partitioned/);
    expect(cookies).toMatch(/SameSite=None/);
    expect(cookies).toMatch(/Secure/);

    // The held comment shows to its author in the frame, and to no one else.
    const own = await request(ctx.app)
      .get(`/embed/posts/${thread!.slug}`)
      .set(
        'Cookie',
        [posted.headers['set-cookie'] ?? []]
          .flat()
          .map((c) => c.split(';')[0])
          .join('; '),
      )
      .expect(200);
    expect(own.text).toContain('Lovely trams.');
    const stranger = await request(ctx.app).get(`/embed/posts/${thread!.slug}`).expect(200);
    expect(stranger.text).not.toContain('Lovely trams.');
    expect(stranger.text).not.toContain('ines@example.org');
    expect(stranger.headers['content-security-policy']).toContain('frame-ancestors https://blog.example');
  });

  it('leaves nothing of a refused first comment: the next one makes the thread', async () => {
    const url = 'https://blog.example/posts/refused-first';
    const fields = { comment: 'Answering nothing.', author: 'R', email: 'r@example.org' };
    await postFirst(url, { ...fields, comment_parent: '99999' }, 422);
    await frameFor(url).expect(200); // the form again: no thread
    await postFirst(url, fields, 303);
    expect(await ctx.db.comment.count({ where: { post: { embedUrl: url } } })).toBe(1);
    // A page whose address holds a stray % has a thread too.
    await postFirst('https://blog.example/posts/100%', { ...fields, comment: 'All of it.' }, 303);
  });

  it('finds the same thread however the page’s address is written', async () => {
    await postFirst('https://blog.example/posts/same/', { comment: 'One', author: 'A', email: 'a@example.org' }, 303);
    for (const [at, written] of [
      'HTTPS://BLOG.EXAMPLE/posts/same',
      'https://blog.example:443/posts/same/index.html',
      'https://blog.example/posts/same#comment-4',
    ].entries()) {
      await postFirst(written, { comment: `Again ${at}`, author: 'B', email: 'b@example.org' }, 303);
    }
    const threads = await ctx.db.post.findMany({ where: { embedUrl: 'https://blog.example/posts/same' } });
    expect(threads).toHaveLength(1);
    expect(await ctx.db.comment.count({ where: { postId: threads[0]!.id } })).toBe(4);
    // Asked for again, the frame goes to the thread.
    const again = await frameFor('https://blog.example/posts/same/').expect(302);
    expect(again.headers.location).toBe(`/embed/posts/${threads[0]!.slug}`);
  });

  it('creates nothing for a site not allowed, nor from another site’s form', async () => {
    const before = (await embedThreads()).length;
    await postFirst('https://elsewhere.example/p', { comment: 'Hi', author: 'A', email: 'a@example.org' }, 403);
    const frame = await frameFor('https://blog.example/crosssite');
    await request(ctx.app)
      .post('/embed/threads')
      .set('Origin', 'https://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({
        page_url: 'https://blog.example/crosssite',
        form_ts: formStampOf(frame.text),
        comment: 'Hi',
        author: 'A',
        email: 'a@example.org',
      })
      .expect(403);
    // A request that does not say where it comes from is not our frame's either.
    await request(ctx.app)
      .post('/embed/threads')
      .type('form')
      .send({
        page_url: 'https://blog.example/nowhere',
        form_ts: formStampOf(frame.text),
        comment: 'Hi',
        author: 'A',
        email: 'a@example.org',
      })
      .expect(403);
    expect(await embedThreads()).toHaveLength(before);
  });
});

describe('a thread in the frame', () => {
  it('is kept in the page cache like our pages, and dropped when a comment is approved', async () => {
    const url = 'https://blog.example/posts/kept';
    const posted = await postFirst(url, { comment: 'Kept once.', author: 'K', email: 'k@example.org' }, 303);
    const slug = /^\/embed\/posts\/([^#?]+)/.exec(posted.headers.location!)![1]!;
    const stats = () => ctx.app.pageCache!.stats();
    await request(ctx.app).get(`/embed/posts/${slug}`).expect(200);
    const before = stats().hits;
    const kept = await request(ctx.app).get(`/embed/posts/${slug}`).expect(200);
    expect(stats().hits).toBe(before + 1);
    // Outside the frame the same address redirects: a shared cache keeps one answer per kind.
    expect(kept.headers.vary).toBe('Sec-Fetch-Dest, Accept-Encoding');
    // Answered first thing (the kept-page fast path), with the frame's own framing rule.
    expect(kept.headers['content-security-policy']).toContain(
      'frame-ancestors https://blog.example https://www.blog.example',
    );
    expect(kept.headers['x-frame-options']).toBeUndefined();
    expect(kept.headers['x-content-type-options']).toBe('nosniff');
    const outside = await request(ctx.app).get(`/embed/posts/${slug}`).set('Sec-Fetch-Dest', 'document');
    expect(outside.status).toBe(302);
    expect(kept.text).not.toContain('Kept once.');
    const id = Number(/#comment-(\d+)$/.exec(posted.headers.location!)?.[1]);
    await request(ctx.app)
      .patch(`/admin/api/comments/${id}`)
      .set('Authorization', `Bearer ${apiToken}`)
      .send({ status: 'approved' })
      .expect(200);
    expect((await request(ctx.app).get(`/embed/posts/${slug}`).expect(200)).text).toContain('Kept once.');
  });

  it('holds its comments to the same traps and checks as the form: honeypot, duplicate', async () => {
    const url = 'https://blog.example/posts/trapped';
    const bot = await postFirst(
      url,
      { comment: 'Buy now', author: 'Bot', email: 'bot@example.org', reply_note: 'x' },
      303,
    );
    const botId = Number(/#comment-(\d+)$/.exec(bot.headers.location!)?.[1]);
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: botId } })).status).toBe('spam');
    const fields = { comment: 'Said once.', author: 'D', email: 'd@example.org' };
    const first = await postFirst(url, fields, 303);
    const cookie = [first.headers['set-cookie'] ?? []]
      .flat()
      .map((c) => c.split(';')[0])
      .join('; ');
    const slug = /^\/embed\/posts\/([^#?]+)/.exec(first.headers.location!)![1]!;
    const frame = await request(ctx.app).get(`/embed/posts/${slug}`).set('Cookie', cookie);
    const again = await request(ctx.app)
      .post(`/embed/posts/${slug}/comments`)
      .set('Cookie', cookie)
      .type('form')
      .send({ ...fields, form_ts: formStampOf(frame.text), comment_parent: '0' })
      .expect(409);
    expect(again.text).toContain('Said once.');
    expect(again.text).toContain(`action="/embed/posts/${slug}/comments"`);
  });
});

describe('without JavaScript', () => {
  it('opens the thread on our own site: the article page once there is one, the form before', async () => {
    const url = 'https://blog.example/posts/plain';
    const fresh = await request(ctx.app)
      .get('/embed/thread')
      .query({ url })
      .set('Sec-Fetch-Dest', 'document')
      .expect(200);
    expect(fresh.text).toContain('name="own_page" value="1"');
    // In the site's own layout, saying whose comments they are.
    expect(fresh.text).toContain('class="site-header"');
    expect(fresh.text).toContain(`The comments on <a href="${url}">`);
    const posted = await sendFirstComment(ctx.app, {
      page_url: url,
      own_page: '1',
      form_ts: formStampOf(fresh.text),
      comment: 'No script here.',
      author: 'P',
      email: 'p@example.org',
    }).expect(303);
    const [thread] = await ctx.db.post.findMany({ where: { embedUrl: url } });
    expect(posted.headers.location).toMatch(new RegExp(`^/posts/${thread!.slug}#comment-\\d+$`));
    const opened = await request(ctx.app).get('/embed/thread').query({ url }).set('Sec-Fetch-Dest', 'document');
    expect(opened.status).toBe(302);
    expect(opened.headers.location).toBe(`/posts/${thread!.slug}#comments`);
    // A comment's link in the frame, opened in a tab of its own: to the page it belongs to.
    const outside = await request(ctx.app).get(`/embed/posts/${thread!.slug}`).set('Sec-Fetch-Dest', 'document');
    expect(outside.status).toBe(302);
    expect(outside.headers.location).toBe(url);
    const article = await request(ctx.app).get(`/posts/${thread!.slug}`).expect(200);
    expect(article.text).toContain('action="/posts/');
    expect(article.text).toContain(`href="${url}"`);
  });
});

describe('the allowed sites in the site settings', () => {
  it('are saved as origins, and a list with something else is refused with a message', async () => {
    const moderator = await asModerator(ctx.app);
    const form = (embedOrigins: string) =>
      moderator.post('/admin/settings/site').type('form').send({
        _csrf: moderator.csrf,
        title: 'marginalia',
        tagline: '',
        displayName: '',
        timeZone: 'UTC',
        commentsPerPage: '50',
        embedOrigins,
      });
    const refused = await form('https://blog.example/posts, https://www.blog.example').expect(422);
    expect(refused.text).toContain('“https://blog.example/posts” is not one.');
    await form('https://blog.example/, https://other.example').expect(303);
    const page = await moderator.get('/admin/settings/site').expect(200);
    expect(page.text).toContain('value="https://blog.example, https://other.example"');
    await frameFor('https://other.example/a').expect(200);
    await frameFor('https://www.blog.example/a').expect(403);
    await form('https://blog.example, https://www.blog.example').expect(303);
  });
});

describe('comment counts', () => {
  it('answers counts by the address asked, with CORS for the allowed sites only, preflight too', async () => {
    const url = 'https://blog.example/posts/counted';
    const posted = await postFirst(url, { comment: 'Counted', author: 'C', email: 'c@example.org' }, 303);
    const id = Number(/#comment-(\d+)$/.exec(posted.headers.location!)?.[1]);
    await request(ctx.app)
      .patch(`/admin/api/comments/${id}`)
      .set('Authorization', `Bearer ${apiToken}`)
      .send({ status: 'approved' })
      .expect(200);
    const asked = ['https://blog.example/posts/counted/', 'https://blog.example/posts/none', 'not a url'];
    const res = await request(ctx.app)
      .get('/api/embed/counts')
      .query(asked.map((u) => `url=${encodeURIComponent(u)}`).join('&'))
      .set('Origin', 'https://www.blog.example')
      .expect(200);
    expect(res.body).toEqual({
      counts: { 'https://blog.example/posts/counted/': 1, 'https://blog.example/posts/none': 0 },
    });
    expect(res.headers['access-control-allow-origin']).toBe('https://www.blog.example');
    expect(res.headers.vary).toContain('Origin');
    const other = await request(ctx.app)
      .get('/api/embed/counts')
      .query({ url })
      .set('Origin', 'https://evil.example')
      .expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers.vary).toContain('Origin');

    const preflight = await request(ctx.app)
      .options('/api/embed/counts')
      .set('Origin', 'https://blog.example')
      .set('Access-Control-Request-Method', 'GET')
      .expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://blog.example');
    expect(preflight.headers['access-control-allow-methods']).toBe('GET');
    const refusedPreflight = await request(ctx.app)
      .options('/api/embed/counts')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(refusedPreflight.headers['access-control-allow-origin']).toBeUndefined();

    const tooMany = await request(ctx.app)
      .get('/api/embed/counts')
      .query(Array.from({ length: 51 }, (_, i) => `url=${encodeURIComponent(`${blog}/p${i}`)}`).join('&'))
      .expect(400);
    expect(tooMany.body.error.message).toContain('at most 50 pages');
  });
});

describe('embed.js', () => {
  it('is a short-lived address for a fingerprinted script other sites may load, small compressed', async () => {
    const loader = await request(ctx.app).get('/embed.js').expect(302);
    expect(loader.headers['cache-control']).toBe('public, max-age=300');
    expect(loader.headers.location).toMatch(/^\/assets\/embed\.[0-9a-f]{10}\.js$/);
    const script = await request(ctx.app).get(loader.headers.location!).expect(200);
    expect(script.headers['cache-control']).toContain('immutable');
    expect(script.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const source = script.text || String(script.body);
    expect(source).toContain('marginalia-thread');
    expect(source).not.toMatch(/\beval\(|new Function/);
    expect(gzipSync(Buffer.from(source)).length).toBeLessThanOrEqual(15 * 1024);
  });
});
