import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { commentIdIn, elementsOf, fieldValue, formBody } from '../helpers/html';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ COMMENTS_PER_PAGE: '2', COMMENT_THREAD_DEPTH: '2' });
});
afterAll(() => ctx.close());

const at = (minute: number) => new Date(Date.UTC(2026, 5, 1, 12, minute));

describe('threads', () => {
  it('nests replies under their parent, oldest first, and attaches deeper ones at the last level', async () => {
    const post = await addPost(ctx.db);
    const root = await addComment(ctx.db, post.id, { text: 'root', createdAt: at(0) });
    const child = await addComment(ctx.db, post.id, { parentId: root.id, text: 'child', createdAt: at(1) });
    const grandchild = await addComment(ctx.db, post.id, { parentId: child.id, text: 'grandchild', createdAt: at(2) });
    const secondChild = await addComment(ctx.db, post.id, {
      parentId: root.id,
      text: 'second child',
      createdAt: at(3),
    });
    const html = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    const structure = new RegExp(
      [
        `<li id="comment-${root.id}" class="comment depth-1">`,
        `<ol class="children">\\s*<li id="comment-${child.id}" class="comment depth-2">`,
        // depth 2 is the maximum here: the grandchild sits beside its parent, not inside it
        `</li>\\s*<li id="comment-${grandchild.id}" class="comment depth-2">`,
        `</li>\\s*<li id="comment-${secondChild.id}" class="comment depth-2">`,
      ].join('[\\s\\S]*?'),
    );
    expect(html).toMatch(structure);
  });
});

describe('comment pages', () => {
  it('splits top-level comments into pages, keeping replies with their parent', async () => {
    const post = await addPost(ctx.db);
    const tops = [];
    for (let i = 0; i < 5; i += 1)
      tops.push(await addComment(ctx.db, post.id, { text: `top ${i}`, createdAt: at(10 + i) }));
    await addComment(ctx.db, post.id, { parentId: tops[0]!.id, text: 'late reply to top 0', createdAt: at(50) });

    const page1 = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    expect(page1).toContain('top 0');
    expect(page1).toContain('top 1');
    expect(page1).toContain('late reply to top 0');
    expect(page1).not.toContain('top 2');
    expect(page1).toContain('6 Comments on');
    expect(page1).toContain(
      `<a class="next" rel="next" href="/posts/${post.slug}?cpage=2#comments">Later comments →</a>`,
    );
    expect(page1).toContain('Page 1 of 3');

    const page2 = (await request(ctx.app).get(`/posts/${post.slug}?cpage=2`)).text;
    expect(page2).toContain('top 2');
    expect(page2).toContain('top 3');
    expect(page2).not.toContain('top 1');
    expect(page2).toContain(`<a class="prev" rel="prev" href="/posts/${post.slug}#comments">← Earlier comments</a>`);

    const past = await request(ctx.app).get(`/posts/${post.slug}?cpage=99`);
    expect(past.status).toBe(302);
    expect(past.headers.location).toBe(`/posts/${post.slug}?cpage=3#comments`);
    const beyond = (await request(ctx.app).get(`/posts/${post.slug}?cpage=3`)).text;
    expect(beyond).toContain('top 4');
    expect(beyond).toContain('Page 3 of 3');
  });

  it('pages a post too long to read whole (over 100 approved comments) the same way, one page read alone', async () => {
    const post = await addPost(ctx.db);
    const name = (i: number) => `top-${String(i).padStart(3, '0')}`;
    const tops = [];
    for (let i = 0; i < 105; i += 1)
      tops.push(await addComment(ctx.db, post.id, { text: name(i), createdAt: at(10 + i) }));
    await addComment(ctx.db, post.id, { parentId: tops[0]!.id, text: 'late reply to the first', createdAt: at(500) });
    await addComment(ctx.db, post.id, {
      parentId: tops[3]!.id,
      text: 'held reply',
      status: 'pending',
      createdAt: at(501),
    });

    const page1 = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    expect(page1).toMatch(new RegExp(`${name(0)}[\\s\\S]*late reply to the first[\\s\\S]*${name(1)}`));
    expect(page1).not.toContain(name(2));
    expect(page1).toContain('106 Comments on');
    expect(page1).toContain('Page 1 of 53');

    const page2 = (await request(ctx.app).get(`/posts/${post.slug}?cpage=2`)).text;
    expect(page2).toContain(name(2));
    expect(page2).toContain(name(3));
    expect(page2).not.toContain('held reply');
    expect(page2).not.toContain(name(1));
    expect(page2).not.toContain(name(4));

    const past = await request(ctx.app).get(`/posts/${post.slug}?cpage=99`);
    expect(past.headers.location).toBe(`/posts/${post.slug}?cpage=53#comments`);
    const beyond = (await request(ctx.app).get(`/posts/${post.slug}?cpage=53`)).text;
    expect(beyond).toContain(name(104));
    expect(beyond).not.toContain(name(103));
    expect(beyond).toContain('Page 53 of 53');
  });

  it('sends a comment permalink to the right page and anchor', async () => {
    const post = await addPost(ctx.db);
    const comments = [];
    for (let i = 0; i < 5; i += 1) comments.push(await addComment(ctx.db, post.id, { createdAt: at(20 + i) }));
    const reply = await addComment(ctx.db, post.id, { parentId: comments[4]!.id, createdAt: at(40) });
    const first = await request(ctx.app).get(`/posts/${post.slug}/comments/${comments[0]!.id}`);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe(`/posts/${post.slug}#comment-${comments[0]!.id}`);
    const deep = await request(ctx.app).get(`/posts/${post.slug}/comments/${reply.id}`);
    expect(deep.headers.location).toBe(`/posts/${post.slug}?cpage=3#comment-${reply.id}`);
  });

  it('lands an author’s held comments, and their permalinks, on the pages that show them to that author', async () => {
    const post = await addPost(ctx.db);
    await addComment(ctx.db, post.id, { createdAt: at(0) });
    const author = request.agent(ctx.app);
    const send = async (comment: string) => {
      const location = String(
        (
          await author
            .post(`/posts/${post.slug}/comments`)
            .type('form')
            .send(formBody({ comment, author: 'H', email: 'h@example.com' }))
        ).headers.location,
      );
      return { location, id: commentIdIn(location) };
    };
    const first = await send('held, mine');
    const second = await send('held, mine too');
    // Threads for the author, 2 a page: the approved one, first | second.
    expect(first.location).toBe(`/posts/${post.slug}#comment-${first.id}`);
    expect(second.location).toBe(`/posts/${post.slug}?cpage=2#comment-${second.id}`);
    expect((await author.get(`/posts/${post.slug}?cpage=2`)).text).toContain(`id="comment-${second.id}"`);
    expect((await author.get(`/posts/${post.slug}/comments/${first.id}`)).headers.location).toBe(first.location);
    expect((await author.get(`/posts/${post.slug}/comments/${second.id}`)).headers.location).toBe(second.location);
    expect((await request(ctx.app).get(`/posts/${post.slug}/comments/${second.id}`)).status).toBe(404);
  });

  it('answers 404 for the permalink of a comment the reader cannot see', async () => {
    const post = await addPost(ctx.db);
    const pending = await addComment(ctx.db, post.id, { status: 'pending' });
    const other = await addComment(ctx.db, (await addPost(ctx.db)).id);
    for (const id of [pending.id, other.id, 99999999]) {
      expect((await request(ctx.app).get(`/posts/${post.slug}/comments/${id}`)).status).toBe(404);
    }
  });

  it('lands a new comment on the page that shows it', async () => {
    const post = await addPost(ctx.db);
    for (let i = 0; i < 4; i += 1) await addComment(ctx.db, post.id, { createdAt: at(i) });
    const res = await request(ctx.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ comment: 'newest', author: 'N', email: 'n@example.com' }));
    const id = commentIdIn(res.headers.location);
    expect(res.headers.location).toBe(`/posts/${post.slug}?cpage=3#comment-${id}`);
  });
});

describe('the reply script', () => {
  it('is served from our own origin, by path, with no inline script or style anywhere on the page', async () => {
    const post = await addPost(ctx.db);
    const html = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    const elements = elementsOf(html);
    const scripts = elements.filter((e) => e.tag === 'script').map((e) => e.attrs);
    expect(scripts).toEqual([{ src: expect.stringMatching(/^\/assets\/comment-reply\.[0-9a-f]{10}\.js$/), defer: '' }]);
    expect(
      elements.some(
        (e) => e.tag === 'style' || 'style' in e.attrs || Object.keys(e.attrs).some((name) => name.startsWith('on')),
      ),
    ).toBe(false);
    const script = await request(ctx.app).get(scripts[0]!.src!).expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.text).toContain("getElementById('respond')");
  });

  it('runs under a policy that forbids inline script and style', async () => {
    const csp = (await request(ctx.app).get('/')).headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe('scripts of the world', () => {
  it.each([
    ['Arabic', 'مرحبا بالعالم، هذا تعليق', 'سلمى'],
    ['Chinese', '你好，世界。这是一条评论。', '李华'],
    ['emoji with skin tones and ZWJ sequences', 'Thanks 👍🏽 👩🏾‍💻 👨‍👩‍👧‍👦 🏳️‍🌈', 'Émoji 🧑🏿‍🚀'],
    ['combining marks (stored composed)', 'Cafe\u0301 and n\u0303', 'Zoe\u0308'],
  ])('accepts and shows %s correctly', async (_case, text, author) => {
    const post = await addPost(ctx.db);
    const res = await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: text, author, email: 'world@example.com' });
    expect(res.status).toBe(201);
    await ctx.db.comment.update({ where: { id: res.body.comment.id }, data: { status: 'approved' } });
    const html = (await request(ctx.app).get(`/posts/${post.slug}`)).text;
    expect(html).toContain(text.normalize('NFC'));
    expect(html).toContain(author.normalize('NFC'));
  });
});

describe('the page a new comment lands on', () => {
  it('counts a reply whose parent was removed from view as a thread of its own', async () => {
    const post = await addPost(ctx.db);
    const hidden = await addComment(ctx.db, post.id, { createdAt: at(0), status: 'trash' });
    await addComment(ctx.db, post.id, { parentId: hidden.id, createdAt: at(1) });
    await addComment(ctx.db, post.id, { createdAt: at(2) });
    // Two threads shown (2 per page), so the next top-level comment opens page 2.
    const res = await request(ctx.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'third thread', author: 'T', email: 't@example.com' });
    expect(res.headers.location).toMatch(new RegExp(`^/posts/${post.slug}\\?cpage=2#comment-\\d+$`));
  });
});

/** Sends the comment form as a reply to `parentId`, with whatever else the form sent. */
function sendReply(
  author: ReturnType<typeof request.agent>,
  slug: string,
  parentId: number,
  extra: Record<string, string> = {},
) {
  const fields = {
    comment: `a reply to ${parentId}`,
    author: 'R',
    email: 'r@example.com',
    comment_parent: String(parentId),
    ...extra,
  };
  return author.post(`/posts/${slug}/comments`).type('form').send(formBody(fields));
}

describe('the page a new reply lands on', () => {
  it('is its thread’s page, whatever is held or binned around it, and shows it to its author', async () => {
    const post = await addPost(ctx.db);
    const first = await addComment(ctx.db, post.id, { createdAt: at(0) });
    const held = await addComment(ctx.db, post.id, { createdAt: at(1), status: 'pending' });
    const orphan = await addComment(ctx.db, post.id, { createdAt: at(2), parentId: held.id });
    const third = await addComment(ctx.db, post.id, { createdAt: at(3) });
    await addComment(ctx.db, post.id, { createdAt: at(4), status: 'trash' });
    const fourth = await addComment(ctx.db, post.id, { createdAt: at(5) });
    const deep = await addComment(ctx.db, post.id, {
      createdAt: at(6),
      parentId: (await addComment(ctx.db, post.id, { createdAt: at(5), parentId: third.id })).id,
    });
    // Threads, 2 a page: first, orphan | third, fourth.
    const expected = new Map([
      [first.id, 1],
      [orphan.id, 1],
      [third.id, 2],
      [deep.id, 2],
      [fourth.id, 2],
    ]);
    for (const [parentId, page] of expected) {
      // The reader follows the comment's Reply link (no JavaScript), on the page that shows it.
      const author = request.agent(ctx.app);
      const listing = await author.get(`/posts/${post.slug}${page > 1 ? `?cpage=${page}` : ''}`);
      const replyLink = new RegExp(`href="\\?((?:cpage=\\d+&amp;)?replytocom=${parentId})#respond"`).exec(
        listing.text,
      )?.[1];
      expect(replyLink).toBeDefined();
      const form = await author.get(`/posts/${post.slug}?${replyLink!.replace('&amp;', '&')}`);
      const res = await sendReply(author, post.slug, parentId, { cpage: fieldValue(form.text, 'cpage') ?? '' });
      const id = commentIdIn(res.headers.location);
      expect(res.headers.location).toBe(`/posts/${post.slug}${page > 1 ? `?cpage=${page}` : ''}#comment-${id}`);
      expect((await author.get(String(res.headers.location).split('#')[0]!)).text).toContain(`id="comment-${id}"`);
    }
  });

  it('is found through its permalink when the form did not say which page it was on (another form, the API)', async () => {
    const post = await addPost(ctx.db);
    const first = await addComment(ctx.db, post.id, { createdAt: at(0) });
    await addComment(ctx.db, post.id, { createdAt: at(1) });
    const third = await addComment(ctx.db, post.id, { createdAt: at(2) });
    const author = request.agent(ctx.app);
    for (const [parentId, page] of [
      [first.id, 1],
      [third.id, 2],
    ] as const) {
      const res = await sendReply(author, post.slug, parentId);
      const permalink = /^\/posts\/[\w-]+\/comments\/(\d+)$/.exec(String(res.headers.location));
      expect(permalink).not.toBeNull();
      const found = await author.get(res.headers.location!);
      expect(found.status).toBe(302);
      expect(found.headers.location).toBe(
        `/posts/${post.slug}${page > 1 ? `?cpage=${page}` : ''}#comment-${permalink![1]}`,
      );
    }
  });
});

describe('the page a new comment lands on with threading off', () => {
  let flat: TestContext;
  beforeAll(async () => {
    flat = await buildTestApp({ COMMENTS_PER_PAGE: '2', COMMENT_THREAD_DEPTH: '1' });
  });
  afterAll(() => flat.close());

  it('is the last page, for a top-level comment and a reply alike: every comment is a thread of its own', async () => {
    const post = await addPost(flat.db);
    const first = await addComment(flat.db, post.id, { createdAt: at(0) });
    await addComment(flat.db, post.id, { createdAt: at(1), parentId: first.id });
    const author = request.agent(flat.app);
    for (const [comment, parentId] of [
      ['a new thread', '0'],
      ['a flat reply', String(first.id)],
    ] as const) {
      const res = await author
        .post(`/posts/${post.slug}/comments`)
        .type('form')
        .send(formBody({ comment, author: 'F', email: 'f@example.com', comment_parent: parentId }));
      const id = commentIdIn(res.headers.location);
      expect(res.headers.location).toBe(`/posts/${post.slug}?cpage=2#comment-${id}`);
      expect((await author.get(`/posts/${post.slug}?cpage=2`)).text).toContain(`id="comment-${id}"`);
    }
  });
});

describe('the page a new approved comment lands on', () => {
  let approving: TestContext;
  beforeAll(async () => {
    approving = await buildTestApp({ COMMENTS_PER_PAGE: '2', MODERATION_MODE: 'approve' });
  });
  afterAll(() => approving.close());

  it('is the page that shows it, counting it once', async () => {
    const post = await addPost(approving.db);
    await addComment(approving.db, post.id, { createdAt: at(0) });
    const send = (comment: string) =>
      request(approving.app)
        .post(`/api/posts/${post.slug}/comments`)
        .send({ comment, author: 'A', email: 'a@example.com' });
    const second = await send('second thread');
    expect(second.body.comment.status).toBe('approved');
    expect(second.headers.location).toBe(`/posts/${post.slug}#comment-${second.body.comment.id}`);
    const third = await send('third thread');
    expect(third.headers.location).toBe(`/posts/${post.slug}?cpage=2#comment-${third.body.comment.id}`);
    const page = (await request(approving.app).get(`/posts/${post.slug}?cpage=2`)).text;
    expect(page).toContain(`id="comment-${third.body.comment.id}"`);
  });
});
