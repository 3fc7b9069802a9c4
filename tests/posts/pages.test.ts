import { systemClock } from '../../src/shared/clock';
import request from 'supertest';
import { createPostsRepository } from '../../src/posts/posts-repository';
import { createPostsService } from '../../src/posts/posts-service';
import { addComment, addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(() => ctx.close());

describe('GET /', () => {
  it('lists posts newest first with title, date, excerpt and approved-comment count', async () => {
    const older = await addPost(ctx.db, {
      title: 'Older post',
      publishedAt: new Date('2026-03-01T00:00:00Z'),
      bodyMarkdown: 'The *older* one.\n\nMore.',
    });
    const newer = await addPost(ctx.db, { title: 'Newer post', publishedAt: new Date('2026-04-01T00:00:00Z') });
    await addComment(ctx.db, older.id);
    await addComment(ctx.db, older.id);
    await addComment(ctx.db, older.id, { status: 'pending' });
    await addComment(ctx.db, older.id, { status: 'spam' });

    const res = await request(ctx.app).get('/').expect(200);
    expect(res.text.indexOf('Newer post')).toBeLessThan(res.text.indexOf('Older post'));
    expect(res.text).toContain(`<a href="/posts/${newer.slug}">Newer post</a>`);
    expect(res.text).toContain('<time datetime="2026-03-01T00:00:00.000Z">March 1, 2026</time>');
    expect(res.text).toContain('<p class="entry-excerpt">The older one.</p>');
    expect(res.text).toContain(`<a href="/posts/${older.slug}#comments">2 comments</a>`);
  });
});

describe('GET /posts/:slug', () => {
  it('has the anatomy of a classic article page', async () => {
    const post = await addPost(ctx.db, {
      title: 'Anatomy',
      publishedAt: new Date('2026-05-06T12:00:00Z'),
      bodyMarkdown:
        'Para one.\n\n> Quoted.\n\n![Alt text](/assets/images/margin-notes.svg "The caption")\n\n<script>alert(1)</script>',
    });
    const res = await request(ctx.app).get(`/posts/${post.slug}`).expect(200);
    const html = res.text;
    const firstFocusable = /<(a|button|input|textarea|select)\b[^>]*>/.exec(html.slice(html.indexOf('<body')))![0];
    expect(firstFocusable).toBe('<a class="skip-link" href="#content">');
    expect(html).toMatch(/<article id="content" class="post" tabindex="-1">/);
    expect(html).toContain('<p class="site-title"><a href="/" rel="home">marginalia</a></p>');
    expect(html).toContain('<h1 class="entry-title">Anatomy</h1>');
    expect(html).toContain('<time datetime="2026-05-06T12:00:00.000Z">May 6, 2026</time>');
    expect(html).toContain('<blockquote>\n<p>Quoted.</p>\n</blockquote>');
    expect(html).toMatch(
      /<figure><img src="\/assets\/images\/margin-notes.svg" alt="Alt text"[^>]*><figcaption>The caption<\/figcaption><\/figure>/,
    );
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // An icon of its own, so browsers do not ask for /favicon.ico (a 404 in the log) on every page.
    const icon = /<link rel="icon" href="([^"]+)" type="image\/svg\+xml">/.exec(html)?.[1];
    expect(icon).toMatch(/^\/assets\/favicon\.[0-9a-f]{10}\.svg$/);
    expect((await request(ctx.app).get(icon!).expect(200)).headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(html).toContain('<h2 id="comments-title" class="comments-title">Be First to Comment</h2>');
    expect(html).toContain('<h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>');
    expect(html).toContain('Your email address will not be published.');
    expect(html).toContain('Required fields are marked <span class="required">*</span>');
    expect(html).not.toContain('%d');

    const order = [
      'name="comment"',
      'name="author"',
      'name="email"',
      'name="url"',
      'name="wp-comment-cookies-consent"',
      '>Post Comment</button>',
    ];
    const positions = order.map((needle) => html.indexOf(needle));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const field of ['comment', 'author', 'email']) {
      expect(html).toMatch(
        new RegExp(`<label for="${field}">[^<]+<span class="required" aria-hidden="true">\\*</span></label>`),
      );
      expect(html).toMatch(new RegExp(`id="${field}" name="${field}"[^>]* required`));
    }
    expect(html).not.toMatch(/id="url" name="url"[^>]* required/);
    expect(html).toContain('Save my name, email, and website in this browser for the next time I comment.');
  });

  it('counts approved comments in the heading: "1 Comment on “Title”", "3 Comments on “Title”"', async () => {
    const post = await addPost(ctx.db, { title: 'Counted' });
    await addComment(ctx.db, post.id);
    await addComment(ctx.db, post.id, { status: 'pending' });
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).toContain('1 Comment on “Counted”');
    await addComment(ctx.db, post.id);
    await addComment(ctx.db, post.id);
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).toContain('3 Comments on “Counted”');
  });

  it('shows approved comments only, oldest first, with replies nested, escaped text and nofollow links', async () => {
    const post = await addPost(ctx.db);
    const later = await addComment(ctx.db, post.id, {
      text: 'Later words',
      createdAt: new Date('2026-06-02T00:00:00Z'),
    });
    const earlier = await addComment(ctx.db, post.id, {
      text: 'Earlier <b>words</b>\nsecond line\n\nhttps://example.com/page',
      authorName: 'Eve',
      authorUrl: 'https://eve.example/',
      createdAt: new Date('2026-06-01T00:00:00Z'),
    });
    const reply = await addComment(ctx.db, post.id, {
      parentId: earlier.id,
      text: 'A reply',
      createdAt: new Date('2026-06-03T00:00:00Z'),
    });
    await addComment(ctx.db, post.id, { status: 'spam', text: 'Buy things' });
    await addComment(ctx.db, post.id, { status: 'trash', text: 'Thrown away' });

    const html = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    expect(html.indexOf(`id="comment-${earlier.id}"`)).toBeLessThan(html.indexOf(`id="comment-${later.id}"`));
    expect(html).toMatch(
      new RegExp(
        `id="comment-${earlier.id}"[\\s\\S]*<ol class="children">\\s*<li id="comment-${reply.id}" class="comment depth-2`,
      ),
    );
    expect(html).toContain('<a class="url" href="https://eve.example/" rel="nofollow ugc noopener">Eve</a>');
    expect(html).toContain('<p>Earlier &lt;b&gt;words&lt;/b&gt;<br>\nsecond line</p>');
    expect(html).toContain(
      '<a href="https://example.com/page" rel="nofollow ugc noopener">https://example.com/page</a>',
    );
    expect(html).toContain(`<a href="#comment-${earlier.id}"><time datetime="2026-06-01T00:00:00.000Z">`);
    expect(html).not.toMatch(/Buy things|Thrown away/);
  });

  it('shows "Comments are closed." instead of the form on a closed post, and no Reply links', async () => {
    const post = await addPost(ctx.db, { commentsOpen: false });
    await addComment(ctx.db, post.id, { text: 'Said while it was open' });
    const html = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    expect(html).toContain('Comments are closed.');
    expect(html).toContain('Said while it was open');
    expect(html).not.toContain('Leave a Reply');
    expect(html).not.toContain('comment-reply-link');
  });

  it('quotes a title that has quotes of its own as quotes within quotes are written', async () => {
    for (const [title, heading] of [
      ['On “Being” Late', '1 Comment on “On ‘Being’ Late”'],
      ['Say "hello" and "goodbye"', '1 Comment on “Say ‘hello’ and ‘goodbye’”'],
    ]) {
      const post = await addPost(ctx.db, { title });
      await addComment(ctx.db, post.id);
      expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).toContain(heading);
    }
  });

  it('lets a browser send a web address typed without https:// (the server adds it)', async () => {
    const post = await addPost(ctx.db);
    const html = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    const website = /<input id="url"[^>]*>/.exec(html)?.[0] ?? '';
    expect(website).toContain('inputmode="url"');
    // type="url" would make the browser refuse "example.org" before it is ever sent.
    expect(website).not.toContain('type="url"');
  });

  it('answers an unknown slug with a real 404 page', async () => {
    const res = await request(ctx.app).get('/posts/never-written');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<h1>Page not found</h1>');
    expect(res.text).toContain('Sorry, there is no post at this address.');
  });

  it('answers any unknown address with the same 404 page', async () => {
    const res = await request(ctx.app).get('/nowhere/at/all');
    expect(res.status).toBe(404);
    expect(res.text).toContain('<h1>Page not found</h1>');
  });
});

describe('the demo post', () => {
  it('is added to an empty blog, once', async () => {
    const fresh = await buildTestApp();
    try {
      const posts = createPostsService({ repo: createPostsRepository(fresh.db), clock: systemClock });
      const demo = await posts.ensureDemoPost();
      expect(demo?.slug).toBe('welcome-to-the-margins');
      expect(await posts.ensureDemoPost()).toBeNull();
      expect(await fresh.db.post.count()).toBe(1);
      const page = await request(fresh.app).get('/posts/welcome-to-the-margins').expect(200);
      expect(page.text).toContain('<figure>');
      expect(page.text).toContain('<blockquote>');
      await request(fresh.app).get('/assets/images/margin-notes.svg').expect(200).expect('Content-Type', /svg/);
    } finally {
      await fresh.close();
    }
  });
});

describe('security headers', () => {
  it('sends a strict Content-Security-Policy and no X-Powered-By', async () => {
    const res = await request(ctx.app).get('/');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
