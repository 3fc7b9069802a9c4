import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { asModerator, csrfTokenIn, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, TRUST_PROXY: '1' });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

const statusOf = async (id: number) => (await ctx.db.comment.findUniqueOrThrow({ where: { id } })).status;
const moderate = (body: Record<string, unknown>) =>
  moderator
    .post('/admin/comments/moderate')
    .type('form')
    .send({ _csrf: moderator.csrf, ...body });

describe('the dashboard', () => {
  it('shows counts by status and the newest pending comments first, with email and IP', async () => {
    const post = await addPost(ctx.db, { title: 'Queue' });
    await addComment(ctx.db, post.id, {
      status: 'pending',
      text: 'older pending',
      createdAt: new Date('2026-01-01T00:00:00Z'),
    });
    await addComment(ctx.db, post.id, {
      status: 'pending',
      text: 'newer pending',
      authorEmail: 'visible@example.com',
      createdAt: new Date('2026-01-02T00:00:00Z'),
    });
    await addComment(ctx.db, post.id, { status: 'spam' });
    const res = await moderator.get('/admin').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const counts = await ctx.db.comment.groupBy({ by: ['status'], _count: { _all: true } });
    for (const { status, _count } of counts) {
      expect(res.text).toContain(
        `<a href="/admin/comments?status=${status}"><span class="count">${_count._all}</span> ${status}</a>`,
      );
    }
    expect(res.text.indexOf('newer pending')).toBeLessThan(res.text.indexOf('older pending'));
    expect(res.text).toContain('visible@example.com');
    expect(res.text).toContain('203.0.113.9');
  });
});

describe('the comment list', () => {
  it('filters by status, post and search, and paginates', async () => {
    const post = await addPost(ctx.db, { title: 'Filtered' });
    const other = await addPost(ctx.db, { title: 'Elsewhere' });
    for (let i = 0; i < 23; i += 1) await addComment(ctx.db, post.id, { status: 'trash', text: `bulk trash ${i}` });
    await addComment(ctx.db, other.id, { status: 'trash', text: 'trash elsewhere' });
    await addComment(ctx.db, post.id, { status: 'approved', authorName: 'Needle Person', text: 'haystack' });

    const page1 = await moderator.get(`/admin/comments?status=trash&post=${post.id}`).expect(200);
    expect(page1.text).toContain('23 comments, page 1 of 2');
    expect(page1.text).not.toContain('trash elsewhere');
    expect(page1.text).toContain(`href="/admin/comments?status=trash&amp;post=${post.id}&amp;page=2" rel="next"`);
    const page2 = await moderator.get(`/admin/comments?status=trash&post=${post.id}&page=2`).expect(200);
    expect((page2.text.match(/<tr id="admin-comment-/g) ?? []).length).toBe(3);

    const found = await moderator.get('/admin/comments?q=needle').expect(200);
    expect(found.text).toContain('Needle Person');
    expect(found.text).toContain('1 comment');
  });

  it('refuses a search it cannot run, shown again as typed, rather than listing every comment', async () => {
    const post = await addPost(ctx.db, { title: 'Long searches' });
    await addComment(ctx.db, post.id, { status: 'approved', text: 'Not what anyone looked for.' });
    const typed = 'a sentence pasted whole '.repeat(9);
    const tooLong = await moderator.get('/admin/comments').query({ q: typed }).expect(400);
    expect(tooLong.text).toContain('A search is at most 200 characters');
    expect(tooLong.text).toContain(`value="${typed}"`);
    expect(tooLong.text).not.toContain('Not what anyone looked for.');
    const twice = await moderator.get('/admin/comments?q=tram&q=pencil').expect(400);
    expect(twice.text).toContain('Search for one thing at a time');
    expect(twice.text).not.toContain('Not what anyone looked for.');
    // The longest search there may be still runs.
    const longest = await moderator
      .get('/admin/comments')
      .query({ q: 'x'.repeat(200) })
      .expect(200);
    expect(longest.text).toContain('No comments hold that search.');
  });

  it('counts by status only for the whole queue, and sends a page past the last to the last', async () => {
    const post = await addPost(ctx.db, { title: 'Counted' });
    for (let i = 0; i < 21; i += 1) await addComment(ctx.db, post.id, { status: 'pending', text: `quokka ${i}` });
    const whole = await moderator.get('/admin/comments').expect(200);
    expect(whole.text).toMatch(/>pending \(\d+\)</);
    const searched = await moderator.get('/admin/comments?q=quokka').expect(200);
    expect(searched.text).toContain('21 comments, page 1 of 2');
    expect(searched.text).toMatch(/>pending</);
    expect(searched.text).not.toMatch(/>pending \(/);
    const ofPost = await moderator.get(`/admin/comments?post=${post.id}`).expect(200);
    expect(ofPost.text).not.toMatch(/>pending \(/);
    const past = await moderator.get(`/admin/comments?q=quokka&status=pending&page=9`).expect(302);
    expect(past.headers.location).toBe('/admin/comments?status=pending&q=quokka&page=2');
    const pastOne = await moderator.get(`/admin/comments?q=quokka+3&page=2`).expect(302);
    expect(pastOne.headers.location).toBe('/admin/comments?q=quokka+3');
  });

  it('treats unreadable filters as no filter rather than failing', async () => {
    const res = await moderator.get('/admin/comments?status=bogus&post=abc&page=-4&q=').expect(200);
    expect(res.text).toContain('<h1>Comments</h1>');
  });
});

describe('moderation actions', () => {
  it('approves a comment: it appears on the public page, with no email there', async () => {
    const post = await addPost(ctx.db, { title: 'Approval' });
    const comment = await addComment(ctx.db, post.id, {
      status: 'pending',
      text: 'Please approve me',
      authorEmail: 'approve-me@example.com',
    });
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).not.toContain('Please approve me');

    const res = await moderate({ single: `approve:${comment.id}`, return: '/admin/comments?status=pending' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/comments?status=pending');
    expect(await statusOf(comment.id)).toBe('approved');
    expect((await moderator.get('/admin/comments?status=pending')).text).toContain(
      '<p class="flash" role="status">1 comment approved.</p>',
    );

    const page = await request(ctx.app).get(`/posts/${post.slug}`);
    expect(page.text).toContain('Please approve me');
    expect(page.text).toContain('1 Comment on “Approval”');
    expect(page.text).not.toContain('approve-me@example.com');
  });

  it.each([
    ['unapprove', 'approved', 'pending', false],
    ['spam', 'approved', 'spam', false],
    ['notspam', 'spam', 'pending', false],
    ['trash', 'approved', 'trash', false],
    ['approve', 'spam', 'approved', true],
  ] as const)('%s moves a %s comment to %s', async (action, from, to, publicAfter) => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: from, text: `action ${action} text` });
    expect((await moderate({ single: `${action}:${comment.id}` })).status).toBe(303);
    expect(await statusOf(comment.id)).toBe(to);
    const page = await request(ctx.app).get(`/posts/${post.slug}`);
    expect(page.text.includes(`action ${action} text`)).toBe(publicAfter);
  });

  it('restores a comment from the trash to the status it had before', async () => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: 'approved', text: 'back again' });
    await moderate({ single: `trash:${comment.id}` });
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).not.toContain('back again');
    await moderate({ single: `restore:${comment.id}` });
    expect(await statusOf(comment.id)).toBe('approved');
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).toContain('back again');
  });

  it('applies a bulk action to the selected comments only', async () => {
    const post = await addPost(ctx.db);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => addComment(ctx.db, post.id, { status: 'pending' })));
    const res = await moderate({
      bulk_action: 'spam',
      ids: [String(a!.id), String(b!.id)],
      return: '/admin/comments?status=pending&page=1',
    });
    expect(res.headers.location).toBe('/admin/comments?status=pending&page=1');
    expect([await statusOf(a!.id), await statusOf(b!.id), await statusOf(c!.id)]).toEqual(['spam', 'spam', 'pending']);
    expect((await moderator.get('/admin/comments?status=pending&page=1')).text).toContain('2 comments marked as spam.');
  });

  it('says so when nothing was selected for a bulk action', async () => {
    await moderate({ bulk_action: 'approve', return: '/admin/comments' });
    expect((await moderator.get('/admin/comments')).text).toContain('Select at least one comment first.');
  });

  it('records every status change: from, to, who and when, shown on the comment', async () => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: 'pending' });
    await moderate({ single: `approve:${comment.id}` });
    await moderate({ single: `spam:${comment.id}` });
    const changes = await ctx.db.commentStatusChange.findMany({
      where: { commentId: comment.id },
      orderBy: { id: 'asc' },
    });
    expect(changes.map((c) => [c.fromStatus, c.toStatus, c.actor])).toEqual([
      ['pending', 'approved', 'moderator:editor'],
      ['approved', 'spam', 'moderator:editor'],
    ]);
    const edit = await moderator.get(`/admin/comments/${comment.id}/edit`).expect(200);
    // The arrival line: the status it arrived with is where the first change started.
    expect(edit.text).toMatch(/<td>\(new\)<\/td>\s*<td>pending<\/td>\s*<td>rules<\/td>/);
    expect(edit.text).toMatch(/<td>pending<\/td>\s*<td>approved<\/td>\s*<td>moderator:editor<\/td>/);
    expect(edit.text).toMatch(/<td>approved<\/td>\s*<td>spam<\/td>\s*<td>moderator:editor<\/td>/);
  });

  it('never returns to a page outside the admin area', async () => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: 'pending' });
    const res = await moderate({ single: `approve:${comment.id}`, return: 'https://evil.example/admin' });
    expect(res.headers.location).toBe('/admin/comments');
  });
});

describe('cross-site request forgery', () => {
  const tokens = { valid: () => moderator.csrf, missing: () => undefined, wrong: () => 'not-the-token' };
  it.each([
    ['a missing token', 'missing', {}],
    ['a wrong token', 'wrong', {}],
    ['a foreign Origin', 'valid', { Origin: 'https://evil.example' }],
    ['a cross-site fetch', 'valid', { 'Sec-Fetch-Site': 'cross-site' }],
  ] as const)('refuses %s with 403 and changes nothing', async (_case, token, headers) => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: 'pending' });
    const csrf = tokens[token]();
    const res = await moderator
      .post('/admin/comments/moderate')
      .set(headers)
      .type('form')
      .send({ single: `approve:${comment.id}`, ...(csrf ? { _csrf: csrf } : {}) });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired or did not come from this site.');
    expect(await statusOf(comment.id)).toBe('pending');
  });

  it('accepts a same-origin Origin header', async () => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: 'pending' });
    const res = await moderator
      .post('/admin/comments/moderate')
      .set('Origin', 'http://127.0.0.1')
      .set('Host', '127.0.0.1')
      .type('form')
      .send({ _csrf: moderator.csrf, single: `approve:${comment.id}` });
    expect(res.status).toBe(303);
    expect(await statusOf(comment.id)).toBe('approved');
  });

  it('refuses a token from another session', async () => {
    const other = await asModerator(ctx.app, '192.0.2.77');
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: 'pending' });
    const res = await moderator
      .post('/admin/comments/moderate')
      .type('form')
      .send({ _csrf: other.csrf, single: `approve:${comment.id}` });
    expect(res.status).toBe(403);
    expect(await statusOf(comment.id)).toBe('pending');
  });
});

describe('editing a comment', () => {
  it('saves name, email, website and text under the public form’s rules', async () => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id, { status: 'approved' });
    const form = await moderator
      .get(`/admin/comments/${comment.id}/edit?return=${encodeURIComponent('/admin/comments?status=approved')}`)
      .expect(200);
    expect(form.text).toContain(comment.authorEmail);
    const res = await moderator
      .post(`/admin/comments/${comment.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfTokenIn(form.text),
        comment: 'Edited <b>text</b>\nline two',
        author: 'New Name',
        email: 'New@Example.com',
        url: 'new.example',
        return: '/admin/comments?status=approved',
      });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/comments?status=approved');
    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: comment.id } });
    expect(stored).toMatchObject({
      text: 'Edited <b>text</b>\nline two',
      authorName: 'New Name',
      authorEmail: 'new@example.com',
      authorUrl: 'https://new.example/',
    });
    expect(stored.textHtml).toBe('<p>Edited &lt;b&gt;text&lt;/b&gt;<br>\nline two</p>');
    expect((await request(ctx.app).get(`/posts/${post.slug}`)).text).toContain('Edited &lt;b&gt;text&lt;/b&gt;');
  });

  it('shows the form again with 422, the messages and what was typed', async () => {
    const post = await addPost(ctx.db);
    const comment = await addComment(ctx.db, post.id);
    const res = await moderator
      .post(`/admin/comments/${comment.id}/edit`)
      .type('form')
      .send({ _csrf: moderator.csrf, comment: 'kept text', author: '', email: 'bad' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Please enter your name.');
    expect(res.text).toContain('Please enter a valid email address, like name@example.com.');
    expect(res.text).toContain('>kept text</textarea>');
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: comment.id } })).text).toBe(comment.text);
  });

  it('answers 404 for a comment that does not exist', async () => {
    expect((await moderator.get('/admin/comments/999999/edit')).status).toBe(404);
  });
});

describe('deleting permanently', () => {
  it('is offered only from trash or spam, after a confirmation step', async () => {
    const post = await addPost(ctx.db);
    const trashed = await addComment(ctx.db, post.id, { status: 'trash', text: 'gone for good' });
    const confirm = await moderator.get(`/admin/comments/${trashed.id}/delete`).expect(200);
    expect(confirm.text).toContain('Delete this comment permanently?');
    expect(await ctx.db.comment.count({ where: { id: trashed.id } })).toBe(1);
    const res = await moderator
      .post(`/admin/comments/${trashed.id}/delete`)
      .type('form')
      .send({ _csrf: csrfTokenIn(confirm.text), return: '/admin/comments?status=trash' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/comments?status=trash');
    expect(await ctx.db.comment.count({ where: { id: trashed.id } })).toBe(0);
    expect(await ctx.db.commentStatusChange.count({ where: { commentId: trashed.id } })).toBe(0);
  });

  it('refuses to delete an approved or pending comment (409), which stays', async () => {
    const post = await addPost(ctx.db);
    const approved = await addComment(ctx.db, post.id, { status: 'approved' });
    const page = await moderator.get(`/admin/comments/${approved.id}/delete`);
    expect(page.status).toBe(303);
    const res = await moderator
      .post(`/admin/comments/${approved.id}/delete`)
      .type('form')
      .send({ _csrf: moderator.csrf });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Only comments in the trash or marked as spam can be deleted permanently.');
    expect(await statusOf(approved.id)).toBe('approved');
  });
});
