import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { runBuiltTool } from '../helpers/built-tool';
import { addComment, addPost } from '../helpers/factories';
import { formBody } from '../helpers/html';
import { apiToken, asModerator, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// A commenter's data on request: everything stored under their address as one JSON document, or
// erased (anonymized, or deleted with placeholders for replies), through the admin area, the admin
// API and the command line.

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
let moderator: ModeratorAgent;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, PAGE_CACHE: 'on' });
  moderator = await asModerator(ctx.app);
});
afterAll(() => ctx.close());

let sequence = 0;

/** A commenter with two comments (one with a reply by someone else), a subscription, and a neighbour. */
async function seedCommenter() {
  const n = ++sequence;
  const email = `ines${n}@example.com`;
  const post = await addPost(ctx.db, { title: `Harbour walks ${n}` });
  const first = await addComment(ctx.db, post.id, {
    authorName: `Inês ${n}`,
    authorEmail: email,
    authorUrl: 'https://ines.example/',
    text: `The tide came in fast ${n}`,
    ipAddress: '198.51.100.7',
  });
  const reply = await addComment(ctx.db, post.id, {
    parentId: first.id,
    authorName: `Bruno ${n}`,
    authorEmail: `bruno${n}@example.com`,
    text: `It always does ${n}`,
  });
  const held = await addComment(ctx.db, post.id, {
    status: 'pending',
    authorName: `Inês ${n}`,
    authorEmail: email,
    text: `And the boats ${n}`,
  });
  await ctx.db.subscription.create({
    data: { postId: post.id, email, emailKey: `key-${n}`, createdAt: new Date(), confirmedAt: new Date() },
  });
  ctx.app.pageCache?.everythingChanged(); // the factories wrote below the app
  return { email, post, first, reply, held, name: `Inês ${n}` };
}

/** `npm run commenter -- …` on the test's database. */
const runCommenterCli = (...args: string[]) =>
  runBuiltTool('privacy/commenter-cli.js', args, ctx.config.DATABASE_URL, ctx.dir);

describe('export', () => {
  it('gives everything stored under the address (any case) as one JSON document, in the admin API', async () => {
    const { email, post, first, held, reply } = await seedCommenter();
    const res = await request(ctx.app)
      .get(`/admin/api/commenters/export?email=${encodeURIComponent(email.replace('ines', 'INES'))}`)
      .set(auth)
      .expect(200);
    expect(res.body.comments.map((comment: { id: number }) => comment.id)).toEqual([first.id, held.id]);
    expect(res.body.comments[0]).toMatchObject({
      post: { slug: post.slug, title: post.title },
      replyTo: null,
      status: 'approved',
      name: first.authorName,
      email,
      website: 'https://ines.example/',
      text: first.text,
      ipAddress: '198.51.100.7',
      userAgent: 'factory',
    });
    expect(res.body.subscriptions).toEqual([
      { post: { slug: post.slug, title: post.title }, confirmedAt: expect.any(String), createdAt: expect.any(String) },
    ]);
    // Nothing about anyone else.
    expect(res.text).not.toContain(reply.authorEmail);
  });

  it('is a page of the admin area, with a download that names no address', async () => {
    const { email, first } = await seedCommenter();
    const page = await moderator.get(`/admin/commenters?email=${encodeURIComponent(email)}`).expect(200);
    expect(page.text).toContain('2 comments, 1 subscription');
    expect(page.text).toContain(first.text);
    expect(page.text).toContain('Download their data (JSON)');
    const file = await moderator.get(`/admin/commenters/export?email=${encodeURIComponent(email)}`).expect(200);
    expect(file.headers['content-disposition']).toMatch(
      /^attachment; filename="?commenter-data-\d{4}-\d\d-\d\d\.json"?$/,
    );
    expect(file.body.comments).toHaveLength(2);
  });

  it('asks for an address, and says so when none is given', async () => {
    const api = await request(ctx.app).get('/admin/api/commenters/export').set(auth).expect(422);
    expect(api.body.error.fields.email).toBe('Enter the email address the commenter wrote under.');
    const page = await moderator.get('/admin/commenters?email=').expect(422);
    expect(page.text).toContain('Enter the email address the commenter wrote under.');
    const nobody = await request(ctx.app).get('/admin/api/commenters/export?email=nobody@example.com').set(auth);
    expect(nobody.body).toMatchObject({ comments: [], subscriptions: [], mail: [] });
  });

  it('is closed to anyone without the token or a session', async () => {
    await request(ctx.app).get('/admin/api/commenters/export?email=x@example.com').expect(401);
    const anonymous = await request(ctx.app).get('/admin/commenters?email=x@example.com');
    expect(anonymous.status).toBe(303);
  });
});

describe('erase', () => {
  it('anonymizes through the API: the words stay under "Anonymous", everything else about the author goes', async () => {
    const { email, post, first, held, name } = await seedCommenter();
    const res = await request(ctx.app)
      .post('/admin/api/commenters/erase')
      .set(auth)
      .send({ email, mode: 'anonymize' })
      .expect(200);
    expect(res.body.erased).toEqual({ anonymized: 2, deleted: 0, keptAsPlaceholders: 0, subscriptions: 1 });

    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: first.id } });
    expect(stored).toMatchObject({
      authorName: 'Anonymous',
      authorEmail: '',
      authorUrl: null,
      ipAddress: null,
      userAgent: null,
      clientNetwork: null,
      text: first.text,
      status: 'approved',
    });
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: held.id } })).status).toBe('pending');
    expect(await ctx.db.subscription.count({ where: { postId: post.id } })).toBe(0);
    // Recorded in the history, without what was erased.
    const history = await moderator.get(`/admin/comments/${first.id}/edit`).expect(200);
    expect(history.text).toContain('were erased at their request');
    expect(history.text).not.toContain(email);
    expect(history.text).not.toContain(name);

    const page = await request(ctx.app).get(`/posts/${post.slug}`).expect(200);
    expect(page.text).not.toContain(name);
    expect(page.text).toContain(first.text);
    const api = await request(ctx.app).get(`/api/posts/${post.slug}/comments`).expect(200);
    expect(api.text).not.toContain(name);
    expect(api.body.comments[0]).toMatchObject({ authorName: 'Anonymous', authorUrl: null, text: first.text });
    // Nothing is left to export.
    const after = await request(ctx.app).get(`/admin/api/commenters/export?email=${email}`).set(auth);
    expect(after.body.comments).toEqual([]);
  });

  it('deletes through the admin area: a comment with replies stays as a placeholder, the rest go', async () => {
    const { email, post, first, reply, held, name } = await seedCommenter();
    const page = await moderator.get(`/admin/commenters?email=${encodeURIComponent(email)}`).expect(200);
    expect(page.text).toContain('value="anonymize"');
    expect(page.text).toContain('value="delete"');
    // The choice is asked for before anything is done.
    const unchosen = await moderator
      .post('/admin/commenters/erase')
      .type('form')
      .send(formBody({ _csrf: moderator.csrf, email }));
    expect(unchosen.status).toBe(422);
    expect(unchosen.text).toContain('Choose how to erase: anonymize the comments, or delete them.');
    expect(await ctx.db.comment.count({ where: { id: { in: [first.id, held.id] }, erased: true } })).toBe(0);

    const erased = await moderator
      .post('/admin/commenters/erase')
      .type('form')
      .send(formBody({ _csrf: moderator.csrf, email, mode: 'delete' }))
      .expect(303);
    const flash = await moderator.get(erased.headers.location!).expect(200);
    expect(flash.text).toContain(
      '1 deleted, 1 kept as a “deleted comment” placeholder for their replies, 1 subscription ended.',
    );

    expect(await ctx.db.comment.findUnique({ where: { id: held.id } })).toBeNull();
    expect(await ctx.db.comment.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({
      erased: true,
      text: '',
      authorEmail: '',
      ipAddress: null,
    });
    const article = await request(ctx.app).get(`/posts/${post.slug}`).expect(200);
    expect(article.text).toContain('This comment was deleted.');
    expect(article.text).not.toContain(name);
    expect(article.text).not.toContain(first.text);
    // The reply keeps its place under the placeholder.
    expect(article.text).toMatch(
      new RegExp(`id="comment-${first.id}"[\\s\\S]*class="children"[\\s\\S]*id="comment-${reply.id}"`),
    );
    const api = await request(ctx.app).get(`/api/posts/${post.slug}/comments`).expect(200);
    expect(api.body.comments.find((comment: { id: number }) => comment.id === first.id)).toMatchObject({
      deleted: true,
      text: '',
    });
    expect(api.text).not.toContain(name);
  });

  it('deletes a placeholder whose only replies were the commenter’s own', async () => {
    const post = await addPost(ctx.db);
    const top = await addComment(ctx.db, post.id, { authorEmail: 'self@example.com' });
    const own = await addComment(ctx.db, post.id, { authorEmail: 'self@example.com', parentId: top.id });
    const res = await request(ctx.app)
      .post('/admin/api/commenters/erase')
      .set(auth)
      .send({ email: 'self@example.com', mode: 'delete' })
      .expect(200);
    expect(res.body.erased).toMatchObject({ deleted: 2, keptAsPlaceholders: 0 });
    expect(await ctx.db.comment.count({ where: { id: { in: [top.id, own.id] } } })).toBe(0);
  });

  it('refuses an unknown mode or a missing address, naming the field', async () => {
    const mode = await request(ctx.app)
      .post('/admin/api/commenters/erase')
      .set(auth)
      .send({ email: 'x@example.com', mode: 'shred' });
    expect(mode.status).toBe(422);
    expect(mode.body.error.fields.mode).toBe('Choose how to erase: anonymize the comments, or delete them.');
    const email = await request(ctx.app).post('/admin/api/commenters/erase').set(auth).send({ mode: 'delete' });
    expect(email.status).toBe(400);
    expect(email.body.error.fields.email).toBe('Enter the email address the commenter wrote under.');
  });
});

describe('each door, each kind of erasure', () => {
  const doors: Record<string, (email: string, mode: 'anonymize' | 'delete') => Promise<void>> = {
    'the admin API': async (email, mode) => {
      await request(ctx.app).post('/admin/api/commenters/erase').set(auth).send({ email, mode }).expect(200);
    },
    'the admin area': async (email, mode) => {
      await moderator
        .post('/admin/commenters/erase')
        .type('form')
        .send(formBody({ _csrf: moderator.csrf, email, mode }))
        .expect(303);
    },
    'the command line': async (email, mode) => {
      expect((await runCommenterCli('erase', email, mode)).code).toBe(0);
    },
  };
  for (const [door, erase] of Object.entries(doors))
    for (const mode of ['anonymize', 'delete'] as const)
      it(`${mode}s through ${door}: no page, API or feed shows the name any more`, async () => {
        const { email, post, first, reply, name } = await seedCommenter();
        await erase(email, mode);
        ctx.app.pageCache?.everythingChanged(); // the command line wrote below the app
        for (const path of [`/posts/${post.slug}`, `/api/posts/${post.slug}/comments`, `/posts/${post.slug}/feed`]) {
          const res = await request(ctx.app).get(path).expect(200);
          expect(res.text).not.toContain(name);
          expect(res.text).not.toContain(email);
          expect(res.text).toContain(reply.text);
        }
        const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: first.id } });
        expect(stored).toMatchObject(
          mode === 'anonymize'
            ? { authorName: 'Anonymous', authorEmail: '', text: first.text, erased: false }
            : { authorEmail: '', text: '', erased: true },
        );
        expect(
          (await request(ctx.app).get(`/admin/api/commenters/export?email=${email}`).set(auth)).body.comments,
        ).toEqual([]);
      });
});

describe('npm run commenter', () => {
  const run = runCommenterCli;

  it('exports to a file only its owner can read, then erases', async () => {
    const { email, first, held } = await seedCommenter();
    const file = path.join(ctx.dir, 'ines.json');
    const exported = await run('export', email, file);
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toBe(`Exported 2 comments, 1 subscription and 0 mails to ${file}.\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { comments: { id: number }[] };
    expect(data.comments.map((comment) => comment.id)).toEqual([first.id, held.id]);
    // An existing file is never overwritten.
    expect((await run('export', email, file)).stderr).toContain('already exists');

    const erased = await run('erase', email, 'anonymize');
    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain('Erased: 2 comments anonymized');
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: first.id } })).authorName).toBe('Anonymous');
    expect((await run('erase', email, 'shred')).code).toBe(2);
  });
});

describe('what an erasure and the retention take with them', () => {
  it('removes the moderator mail that names the address, digests included', async () => {
    const { email, first } = await seedCommenter();
    const other = await ctx.db.delivery.create({
      data: {
        channel: 'mail',
        kind: 'digest',
        recipient: 'moderator@example.com',
        subject: 'Digest',
        body: `Someone (${email.toUpperCase()}) wrote…`,
        status: 'sent',
        nextAttemptAt: new Date(),
        createdAt: new Date(),
      },
    });
    const unrelated = await ctx.db.delivery.create({
      data: {
        channel: 'mail',
        kind: 'digest',
        recipient: 'moderator@example.com',
        subject: 'Digest',
        body: 'Nobody we know (x_y%z@example.com)',
        status: 'sent',
        nextAttemptAt: new Date(),
        createdAt: new Date(),
      },
    });
    const aboutComment = await ctx.db.delivery.create({
      data: {
        channel: 'webhook',
        kind: 'comment.created',
        recipient: 'https://hooks.example',
        body: '{}',
        commentId: first.id,
        status: 'sent',
        nextAttemptAt: new Date(),
        createdAt: new Date(),
      },
    });
    await request(ctx.app).post('/admin/api/commenters/erase').set(auth).send({ email, mode: 'anonymize' }).expect(200);
    expect(await ctx.db.delivery.findUnique({ where: { id: other.id } })).toBeNull();
    expect(await ctx.db.delivery.findUnique({ where: { id: aboutComment.id } })).toBeNull();
    expect(await ctx.db.delivery.findUnique({ where: { id: unrelated.id } })).not.toBeNull();
  });

  it('answers the admin area’s download without an address with the page, asking for one', async () => {
    for (const query of ['', '?email=', '?email=a&email=b', '?email[x]=y']) {
      const res = await moderator.get(`/admin/commenters/export${query}`);
      expect(res.status).toBe(422);
      expect(res.text).toContain('Enter the email address the commenter wrote under.');
    }
  });
});
