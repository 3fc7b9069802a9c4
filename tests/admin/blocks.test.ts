import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { formBody } from '../helpers/html';
import { apiToken, asModerator, moderatorEnv, type ModeratorAgent } from '../helpers/moderator';
import { recipientsOf, startTestSmtp } from '../helpers/smtp';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Blocked senders (an address, an IP, a range of either family): their comments go to spam, and
// they are answered as any held comment is, so nothing tells them.

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
let moderator: ModeratorAgent;
let slug: string;
beforeAll(async () => {
  // Every comment is approved unless something says otherwise; one proxy in front (X-Forwarded-For).
  ctx = await buildTestApp({ ...moderatorEnv, MODERATION_MODE: 'approve', TRUST_PROXY: '1' });
  moderator = await asModerator(ctx.app);
  slug = (await addPost(ctx.db)).slug;
});
afterAll(() => ctx.close());

let sequence = 0;
const send = (from: string, email = `reader${++sequence}@example.com`) =>
  request(ctx.app)
    .post(`/api/posts/${slug}/comments`)
    .set('X-Forwarded-For', from)
    .send({ comment: `Words number ${++sequence}`, author: 'R', email });
const block = (body: object) => request(ctx.app).post('/admin/api/blocks').set(auth).send(body);
const statusOf = async (id: number) => (await ctx.db.comment.findUniqueOrThrow({ where: { id } })).status;
const removeAll = async () => {
  for (const { id } of (await request(ctx.app).get('/admin/api/blocks').set(auth)).body.blocks as { id: number }[])
    await request(ctx.app).delete(`/admin/api/blocks/${id}`).set(auth).expect(204);
};
afterEach(removeAll);

it('sends a blocked address’s comments to spam, whatever its case, answered as a held comment', async () => {
  const created = await block({ email: 'Pest@Example.com', note: 'repeat offender' }).expect(201);
  expect(created.body.block).toMatchObject({ kind: 'email', value: 'pest@example.com', note: 'repeat offender' });

  const blocked = await send('192.0.2.10', 'PEST@example.COM').expect(201);
  // Nothing in the answer tells a blocked sender from one whose comment is held.
  const shape = (body: { comment: Record<string, unknown> }) =>
    Object.keys(body.comment)
      .sort()
      .map((key) => [key, key === 'status' ? body.comment[key] : typeof body.comment[key]]);
  await request(ctx.app)
    .patch('/admin/api/settings')
    .set(auth)
    .send({ moderation: { moderationWords: ['casino'] } })
    .expect(200);
  const heldAgain = await request(ctx.app)
    .post(`/api/posts/${slug}/comments`)
    .set('X-Forwarded-For', '192.0.2.12')
    .send({ comment: 'Another casino', author: 'R', email: 'third@example.com' })
    .expect(201);
  expect(shape(blocked.body)).toEqual(shape(heldAgain.body));
  expect(blocked.body.comment.status).toBe('pending');
  const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: blocked.body.comment.id } });
  expect(stored).toMatchObject({
    status: 'spam',
    arrivalNote: `the sender is blocked (block ${created.body.block.id as number}: their email address)`,
  });
  await request(ctx.app)
    .patch('/admin/api/settings')
    .set(auth)
    .send({ moderation: { moderationWords: [] } });

  expect(await statusOf((await send('192.0.2.10').expect(201)).body.comment.id)).toBe('approved');
});

it('blocks an IPv4 range, including a client written in the IPv4-mapped form', async () => {
  const created = await block({ ip: '198.51.100.77/24' }).expect(201);
  expect(created.body.block.value).toBe('198.51.100.0/24');
  expect(await statusOf((await send('198.51.100.5').expect(201)).body.comment.id)).toBe('spam');
  expect(await statusOf((await send('::ffff:198.51.100.6').expect(201)).body.comment.id)).toBe('spam');
  expect(await statusOf((await send('198.51.101.5').expect(201)).body.comment.id)).toBe('approved');
});

it('blocks an IPv6 range and a single IPv6 address, written in any form', async () => {
  expect((await block({ ip: '2001:DB8:AA::/48' }).expect(201)).body.block.value).toBe('2001:db8:aa::/48');
  expect((await block({ ip: '2001:db8:0:0:0:0:0:99' }).expect(201)).body.block.value).toBe('2001:db8::99/128');
  expect(await statusOf((await send('2001:db8:aa:1::5').expect(201)).body.comment.id)).toBe('spam');
  expect(await statusOf((await send('2001:db8::99').expect(201)).body.comment.id)).toBe('spam');
  expect(await statusOf((await send('2001:db8:ab::5').expect(201)).body.comment.id)).toBe('approved');
});

it('lists blocks, refuses the same one twice, and forgets a removed one', async () => {
  const { id } = (await block({ ip: '203.0.113.8' }).expect(201)).body.block as { id: number };
  expect((await block({ ip: '203.0.113.8/32' })).status).toBe(409);
  const list = await request(ctx.app).get('/admin/api/blocks').set(auth).expect(200);
  expect(list.body.blocks).toEqual([
    { id, kind: 'ip', value: '203.0.113.8/32', note: null, createdAt: expect.any(String) },
  ]);
  expect(await statusOf((await send('203.0.113.8').expect(201)).body.comment.id)).toBe('spam');
  await request(ctx.app).delete(`/admin/api/blocks/${id}`).set(auth).expect(204);
  await request(ctx.app).delete(`/admin/api/blocks/${id}`).set(auth).expect(404);
  expect(await statusOf((await send('203.0.113.8').expect(201)).body.comment.id)).toBe('approved');
});

it('names what is wrong with a block it cannot take', async () => {
  const cases: [object, string, string][] = [
    [{}, 'email', 'Enter an email address, or an IP address or range.'],
    [
      { email: 'a@example.com', ip: '192.0.2.1' },
      'ip',
      'Give either an email address or an IP address or range, not both.',
    ],
    [{ email: 'not an address' }, 'email', 'Enter an email address, such as name@example.com.'],
    [
      { ip: '300.1.1.1' },
      'ip',
      'Enter an IP address (203.0.113.7, 2001:db8::1) or a range in CIDR form (203.0.113.0/24, 2001:db8::/48).',
    ],
    [{ ip: '10.0.0.0/4' }, 'ip', 'That range is too wide: block at most a /8 (IPv4) or a /16 (IPv6).'],
  ];
  for (const [body, field, message] of cases) {
    const res = await block(body);
    expect(res.status).toBe(422);
    expect(res.body.error.fields[field]).toBe(message);
  }
  expect((await block({ email: ['a@example.com'] })).status).toBe(400);
  expect((await request(ctx.app).get('/admin/api/blocks').set(auth)).body.blocks).toEqual([]);
});

it('blocks from a comment’s page in the admin area, and lists the blocks in settings', async () => {
  const post = await addPost(ctx.db);
  const comment = await addComment(ctx.db, post.id, { authorEmail: 'spammy@example.com', ipAddress: '192.0.2.200' });
  const page = await moderator.get(`/admin/comments/${comment.id}/edit`).expect(200);
  expect(page.text).toContain('Block this email');
  expect(page.text).toContain('Block this IP / range');
  const added = await moderator
    .post('/admin/settings/blocks')
    .type('form')
    .send(
      formBody({
        _csrf: moderator.csrf,
        ip: '192.0.2.0/24',
        note: `From comment ${comment.id}`,
        return: `/admin/comments/${comment.id}/edit`,
      }),
    )
    .expect(303);
  expect(added.headers.location).toBe(`/admin/comments/${comment.id}/edit`);
  expect((await moderator.get(added.headers.location!)).text).toContain(
    'Blocked 192.0.2.0/24: their next comments go to spam.',
  );
  const list = await moderator.get('/admin/settings/blocks').expect(200);
  expect(list.text).toContain('<code>192.0.2.0/24</code>');
  expect(list.text).toContain(`From comment ${comment.id}`);

  const refused = await moderator
    .post('/admin/settings/blocks')
    .type('form')
    .send(formBody({ _csrf: moderator.csrf, ip: 'nonsense' }))
    .expect(422);
  expect(refused.text).toContain('value="nonsense"');
  expect(refused.text).toContain('Enter an IP address');
});

it('treats a blocked sender who ticks "notify me" as any held commenter: no mail until a comment is published', async () => {
  const smtp = await startTestSmtp();
  const mailing = await buildTestApp({
    PUBLIC_URL: 'https://blog.example',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'c@blog.example',
    ...moderatorEnv,
  });
  try {
    const post = await addPost(mailing.db);
    await request(mailing.app).post('/admin/api/blocks').set(auth).send({ email: 'blocked@example.com' }).expect(201);
    const say = (email: string) =>
      request(mailing.app)
        .post(`/api/posts/${post.slug}/comments`)
        .send({ comment: `From ${email}`, author: 'S', email, subscribe_comments: true })
        .expect(201);
    const held = await say('held@example.com');
    const blocked = await say('blocked@example.com');
    expect(blocked.body.comment.status).toBe(held.body.comment.status);
    await mailing.app.notifier.runOnce();
    expect(smtp.mails).toEqual([]);
    // Published, the held one asks for its subscription; the blocked one never is.
    await request(mailing.app)
      .patch(`/admin/api/comments/${held.body.comment.id}`)
      .set(auth)
      .send({ status: 'approved' });
    await mailing.app.notifier.runOnce();
    expect(smtp.mails.map((mail) => recipientsOf(mail))).toEqual([['held@example.com']]);
  } finally {
    await mailing.close();
    await smtp.stop();
  }
});

it('lists a block on an address in its commenter’s export, and keeps it after an erasure', async () => {
  await block({ email: 'kept@example.com', note: 'spam run' }).expect(201);
  const post = await addPost(ctx.db);
  await addComment(ctx.db, post.id, { authorEmail: 'kept@example.com' });
  await request(ctx.app)
    .post('/admin/api/commenters/erase')
    .set(auth)
    .send({ email: 'kept@example.com', mode: 'delete' });
  const exported = await request(ctx.app).get('/admin/api/commenters/export?email=KEPT@example.com').set(auth);
  expect(exported.body.blocks).toEqual([{ note: 'spam run', createdAt: expect.any(String) }]);
  expect(exported.headers['cache-control']).toBe('no-store');
  const page = await moderator.get('/admin/commenters?email=kept@example.com');
  expect(page.text).toContain('The block stays after an erasure');
});
