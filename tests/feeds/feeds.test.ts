import { parseFeed } from '@rowanmanning/feed-parser';
import { SaxesParser } from 'saxes';
import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The feeds, read by a real feed parser, never by pattern-matching the XML.

const auth = { Authorization: `Bearer ${apiToken}` };
const publicUrl = 'https://blog.example';

let ctx: TestContext;
let post: { id: number; slug: string };
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on', PUBLIC_URL: publicUrl, SITE_TITLE: 'Margins & Notes' });
  post = (
    await request(ctx.app)
      .post('/admin/api/posts')
      .set(auth)
      .send({ title: 'Tides & <tables>', slug: 'tides', body: 'The **whole** text, with a [link](/posts/other).' })
      .expect(201)
  ).body.post;
  await request(ctx.app)
    .post('/admin/api/posts')
    .set(auth)
    .send({ title: 'Not yet', slug: 'not-yet', body: 'Draft words.', status: 'draft' })
    .expect(201);
});
afterAll(() => ctx.close());

const get = (path: string) => request(ctx.app).get(path);
/** Throws unless `xml` is well-formed XML with every namespace prefix declared. */
function wellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (error) => {
    throw error;
  });
  parser.write(xml).close();
}

const feedAt = async (path: string) => {
  const res = await get(path).expect(200);
  wellFormed(res.text);
  return { res, feed: parseFeed(res.text) };
};

/** Posts a comment through the public API and approves it through the admin API. */
async function approvedComment(slug: string, fields: Record<string, string>) {
  const res = await request(ctx.app)
    .post(`/api/posts/${slug}/comments`)
    .send({ email: 'secret-commenter@example.com', ...fields })
    .expect(201);
  const id = res.body.comment.id as number;
  await request(ctx.app).patch(`/admin/api/comments/${id}`).set(auth).send({ status: 'approved' }).expect(200);
  return id;
}

describe('the posts feed', () => {
  it.each([
    ['/feed', 'application/rss+xml; charset=utf-8', 'rss'],
    ['/feed/atom', 'application/atom+xml; charset=utf-8', 'atom'],
  ])('%s lists published posts with their whole text and absolute links', async (path, type, format) => {
    const { res, feed } = await feedAt(path);
    expect(res.headers['content-type']).toBe(type);
    expect(feed.meta.type).toBe(format);
    expect(feed.title).toBe('Margins & Notes');
    const titles = feed.items.map((item) => item.title);
    expect(titles).toContain('Tides & <tables>');
    expect(titles).not.toContain('Not yet');
    const item = feed.items.find((entry) => entry.title === 'Tides & <tables>')!;
    expect(item.url).toBe(`${publicUrl}/posts/tides`);
    expect(item.content).toContain('<strong>whole</strong>');
    expect(item.authors.map((author) => author.name)).toEqual(['editor']); // ADMIN_USER, with no DISPLAY_NAME
  });

  it('is in every page’s head, with the comment feeds', async () => {
    const page = (await request(ctx.app).get('/posts/tides').expect(200)).text;
    expect(page).toContain(
      '<link rel="alternate" type="application/rss+xml" title="Margins &amp; Notes – Posts" href="/feed">',
    );
    expect(page).toContain(
      '<link rel="alternate" type="application/atom+xml" title="Margins &amp; Notes – Posts (Atom)" href="/feed/atom">',
    );
    expect(page).toContain('href="/comments/feed"');
    expect(page).toContain('href="/posts/tides/feed"');
    expect((await request(ctx.app).get('/').expect(200)).text).toContain('href="/feed"');
  });
});

describe('the comment feeds', () => {
  it('carry approved comments only, text kept exactly, and never an email address', async () => {
    const tricky = 'Ends a CDATA section ]]> here, & keeps <b>tags</b> as text 🌊 and שלום עולם (right to left).';
    const id = await approvedComment('tides', {
      author: 'Ada & Co',
      url: 'https://ada.example/?a=1&b=2',
      comment: tricky,
    });
    await request(ctx.app)
      .post('/api/posts/tides/comments')
      .send({ author: 'Held', email: 'held@example.com', comment: 'Waiting for a moderator.' })
      .expect(201);
    const spam = await addComment(ctx.db, post.id, { status: 'spam', text: 'Buy things' });
    ctx.app.pageCache?.everythingChanged(); // the factory wrote below the app

    for (const path of ['/comments/feed', '/comments/feed/atom', '/posts/tides/feed', '/posts/tides/feed/atom']) {
      const { res, feed } = await feedAt(path);
      expect(res.text).not.toMatch(/@example\.com/);
      expect(res.text).not.toContain('Waiting for a moderator');
      expect(res.text).not.toContain(spam.text);
      const item = feed.items.find((entry) => entry.url === `${publicUrl}/posts/tides/comments/${id}`);
      expect(item).toBeDefined();
      expect(item!.authors[0]!.name).toBe('Ada & Co');
      // The parser hands back the entry's text with its entities read: the comment as typed.
      expect(item!.content).toBe(`<p>${tricky}</p>`);
    }
    const siteWide = (await feedAt('/comments/feed')).feed;
    expect(siteWide.items[0]!.title).toBe('Comment on Tides & <tables> by Ada & Co');
  });

  it('answer 404 for a post that is not published', async () => {
    await request(ctx.app).get('/posts/not-yet/feed').expect(404);
    await request(ctx.app).get('/posts/no-such-post/feed/atom').expect(404);
  });
});

describe('conditional requests', () => {
  it('answer 304 to a reader who has the feed, and the new feed as soon as it changes', async () => {
    const first = await get('/posts/tides/feed').expect(200);
    const etag = first.headers.etag!;
    const lastModified = first.headers['last-modified']!;
    expect(etag).toBeTruthy();
    expect(new Date(lastModified).getTime()).not.toBeNaN();
    await request(ctx.app).get('/posts/tides/feed').set('If-None-Match', etag).expect(304);
    await request(ctx.app).get('/posts/tides/feed').set('If-Modified-Since', lastModified).expect(304);
    // An entity tag that does not match wins over a date that would (RFC 9110).
    await request(ctx.app)
      .get('/posts/tides/feed')
      .set({ 'If-None-Match': 'W/"other"', 'If-Modified-Since': lastModified })
      .expect(200);

    ctx.clock.advance(2_000);
    await approvedComment('tides', { author: 'Later', comment: 'A newer comment.' });
    const changed = await get('/posts/tides/feed').set('If-None-Match', etag).expect(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(parseFeed(changed.text).items[0]!.title).toBe('By Later');
    await request(ctx.app).get('/posts/tides/feed').set('If-Modified-Since', lastModified).expect(200);
    // The site-wide feeds heard of it too.
    expect((await feedAt('/comments/feed')).feed.items[0]!.title).toBe('Comment on Tides & <tables> by Later');
  });

  it('drop a post from the posts feed when it is unpublished, and add one when it is published', async () => {
    const before = await get('/feed').expect(200);
    await request(ctx.app).patch(`/admin/api/posts/${post.id}`).set(auth).send({ status: 'draft' }).expect(200);
    const after = await get('/feed').set('If-None-Match', before.headers.etag!).expect(200);
    expect(parseFeed(after.text).items.map((item) => item.title)).not.toContain('Tides & <tables>');
    await request(ctx.app).get('/posts/tides/feed').expect(404);
    await request(ctx.app).patch(`/admin/api/posts/${post.id}`).set(auth).send({ status: 'published' }).expect(200);
    expect((await feedAt('/feed')).feed.items.map((item) => item.title)).toContain('Tides & <tables>');
  });
});

it('without PUBLIC_URL, links are made from the request’s own address', async () => {
  const bare = await buildTestApp();
  try {
    await addPost(bare.db, { title: 'Local', slug: 'local' });
    const res = await request(bare.app).get('/feed').set('Host', 'blog.local:8080').expect(200);
    const item = parseFeed(res.text).items.find((entry) => entry.title === 'Local')!;
    expect(item.url).toBe('http://blog.local:8080/posts/local');
  } finally {
    await bare.close();
  }
});

describe('for search engines and browsers', () => {
  /** The text of every element named `name`, read by a strict XML parser. */
  function textsOf(xml: string, name: string): string[] {
    const parser = new SaxesParser({ xmlns: true });
    const texts: string[] = [];
    let inside = false;
    parser.on('opentag', (tag) => (inside = tag.local === name));
    parser.on('text', (value) => inside && texts.push(value));
    parser.on('closetag', () => (inside = false));
    parser.write(xml).close();
    return texts;
  }

  it('list the home page and every published post in /sitemap.xml, drafts left out', async () => {
    const res = await get('/sitemap.xml').expect(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const locations = textsOf(res.text, 'loc');
    expect(locations[0]).toBe(`${publicUrl}/`);
    expect(locations).toContain(`${publicUrl}/posts/tides`);
    expect(locations.some((loc) => loc.includes('not-yet'))).toBe(false);
    expect(textsOf(res.text, 'lastmod').every((date) => !Number.isNaN(Date.parse(date)))).toBe(true);
  });

  it('say in /robots.txt where the sitemap is, and keep crawlers out of the admin area', async () => {
    const res = await request(ctx.app).get('/robots.txt').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe(`User-agent: *\nDisallow: /admin/\n\nSitemap: ${publicUrl}/sitemap.xml\n`);
  });

  it('give every post a canonical address, a description and Open Graph tags', async () => {
    const page = (await request(ctx.app).get('/posts/tides').expect(200)).text;
    expect(page).toContain(`<link rel="canonical" href="${publicUrl}/posts/tides">`);
    expect(page).toContain(`<meta property="og:url" content="${publicUrl}/posts/tides">`);
    expect(page).toContain('<meta property="og:title" content="Tides &amp; &lt;tables&gt;">');
    expect(page).toContain('<meta property="og:type" content="article">');
    expect(page).toContain('<meta name="description" content="The whole text, with a link.">');
    expect(page).toContain('<meta property="og:description" content="The whole text, with a link.">');
    const home = (await request(ctx.app).get('/').expect(200)).text;
    expect(home).toContain(`<link rel="canonical" href="${publicUrl}/">`);
    expect(home).toContain('<meta property="og:type" content="website">');
  });

  it('answer /favicon.ico with an icon, not a 404', async () => {
    const res = await request(ctx.app).get('/favicon.ico').expect(200);
    expect(res.headers['content-type']).toBe('image/vnd.microsoft.icon');
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
    // An ICO header: reserved 0, type 1 (icon), one image.
    expect([...(res.body as Buffer).subarray(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]);
  });
});

describe('what an attacker and a new user found', () => {
  it('keep characters XML forbids out of every feed, and names out of markup', async () => {
    const post = await addPost(ctx.db, {
      title: 'Nonchar \uFFFF title',
      slug: 'nonchar',
      bodyMarkdown: 'Body \uFFFE text with ![a picture](/media/0123456789abcdef/x.png).',
    });
    await addComment(ctx.db, post.id, {
      status: 'approved',
      authorName: '<img src=x onerror=alert(1)>',
      text: 'Imported \uFFFF text',
    });
    // Sent through the form, the same characters never arrive.
    const id = await approvedComment('nonchar', { author: 'Mallory \uFFFF', comment: 'typed \uFFFE here' });
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id } })).text).toBe('typed  here');
    ctx.app.pageCache?.everythingChanged();
    for (const path of ['/feed', '/feed/atom', '/comments/feed', '/comments/feed/atom', '/posts/nonchar/feed/atom']) {
      const { res, feed } = await feedAt(path);
      expect(res.text).not.toMatch(/[\uFFFE\uFFFF]/);
      expect(res.text).not.toContain('<img src=x');
      const mine = feed.items.find((item) => (item.title ?? '').includes('onerror'));
      if (path.includes('comments') || path.includes('nonchar')) expect(mine).toBeDefined();
    }
    const posts = (await feedAt('/feed')).feed.items.find((item) => item.title === 'Nonchar  title')!;
    expect(posts.content).toContain(`<img src="${publicUrl}/media/0123456789abcdef/x.png"`);
  });

  it('answers a Host header that is no host name with 400 when PUBLIC_URL is unset, and keeps such feeds private', async () => {
    const bare = await buildTestApp();
    try {
      const bad = await request(bare.app).get('/feed').set('Host', 'a"><x');
      expect(bad.status).toBe(400);
      expect(bad.text).not.toMatch(/at \w+ \(/);
      const ok = await request(bare.app).get('/feed').set('Host', 'blog.local');
      expect(ok.headers['cache-control']).toBe('private, no-cache');
      // Made again for each request, an unchanged feed keeps its date (never one in the future).
      for (let n = 0; n < 3; n += 1) {
        const again = await request(bare.app).get('/feed').set('Host', 'blog.local');
        expect(again.headers['last-modified']).toBe(ok.headers['last-modified']);
      }
      await request(bare.app)
        .get('/feed')
        .set({ Host: 'blog.local', 'If-Modified-Since': ok.headers['last-modified']! })
        .expect(304);
      expect((await request(bare.app).get('/robots.txt').set('Host', 'blog.local')).headers['cache-control']).toBe(
        'private, no-cache',
      );
    } finally {
      await bare.close();
    }
  });

  it('never confirms an old copy by date when the feed changed within the same second', async () => {
    const first = await get('/comments/feed').expect(200);
    await approvedComment('tides', { author: 'Quick', comment: 'Within the second.' });
    const again = await request(ctx.app)
      .get('/comments/feed')
      .set('If-Modified-Since', first.headers['last-modified']!);
    expect(again.status).toBe(200);
    expect(again.text).toContain('Within the second.');
    await request(ctx.app).get('/comments/feed').set('If-None-Match', '*').expect(304);
  });
});
