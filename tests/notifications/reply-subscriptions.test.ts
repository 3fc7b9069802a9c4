import request from 'supertest';
import { addPost } from '../helpers/factories';
import { fieldValue, formBody } from '../helpers/html';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { headerLine, recipientsOf, startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// "Notify me of follow-up comments by email.": double opt-in, at most one confirmation a day,
// mail for each new approved comment but one's own, and one-click unsubscribe (RFC 8058).

let smtp: TestSmtp;
let ctx: TestContext;
let slug: string;
let postId: number;
let sequence = 0;

beforeAll(async () => {
  smtp = await startTestSmtp();
  ctx = await buildTestApp({
    ...moderatorEnv,
    PUBLIC_URL: 'https://blog.example',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'comments@blog.example',
  });
  const post = await addPost(ctx.db, { title: 'Followed post' });
  ({ slug, id: postId } = post);
});
afterAll(async () => {
  await ctx.close();
  await smtp.stop();
});

const mailsTo = (address: string) => smtp.mails.filter((mail) => recipientsOf(mail).includes(address));
const linkIn = (text: string, label: string) => new RegExp(`${label}: (https://blog\\.example\\S+)`).exec(text)?.[1];
const pathOf = (url: string) => new URL(url).pathname;

async function comment(author: string, email: string, fields: Record<string, string> = {}, onSlug = slug) {
  const text = fields.comment ?? `Comment ${++sequence} by ${author}.`;
  const res = await request(ctx.app)
    .post(`/posts/${onSlug}/comments`)
    .type('form')
    .send(formBody({ author, email, comment: text, ...fields }));
  expect(res.status).toBe(303);
  return (await ctx.db.comment.findFirstOrThrow({ where: { text } })).id;
}

/** A comment with the box ticked, published: its subscription is asked for once it is. */
async function subscribe(author: string, email: string, onSlug = slug) {
  const id = await comment(author, email, { subscribe_comments: 'yes' }, onSlug);
  await approve(id);
  return id;
}

async function approve(id: number) {
  await request(ctx.app)
    .post('/admin/api/comments/bulk')
    .set('Authorization', `Bearer ${apiToken}`)
    .send({ ids: [id], status: 'approved' })
    .expect(200);
}

const subscription = () =>
  ctx.db.subscription.findFirst({ where: { postId, email: 'sam@reader.example' }, select: { confirmedAt: true } });

it('offers the box on the article page, and keeps it ticked when the form comes back', async () => {
  const page = await request(ctx.app).get(`/posts/${slug}`);
  expect(page.text).toContain('<label for="subscribe_comments">Notify me of follow-up comments by email.</label>');
  const refused = await request(ctx.app)
    .post(`/posts/${slug}/comments`)
    .type('form')
    .send(formBody({ author: 'Sam', email: 'not an address', comment: 'Hello', subscribe_comments: 'yes' }));
  expect(refused.status).toBe(422);
  expect(refused.text).toMatch(/name="subscribe_comments" type="checkbox" value="yes" checked/);
});

it('mails one confirmation once the comment is published, and nothing else until it is confirmed', async () => {
  const held = await comment('Sam', 'sam@reader.example', { subscribe_comments: 'yes' });
  await ctx.app.notifier.runOnce();
  // Held, it asks nothing yet: a held comment, a blocked sender's and spam all look the same.
  expect(mailsTo('sam@reader.example')).toHaveLength(0);
  await approve(held);
  await ctx.app.notifier.runOnce();
  const [confirmation, ...more] = mailsTo('sam@reader.example');
  expect(more).toHaveLength(0);
  expect(confirmation!.subject).toBe('[marginalia] Confirm: mail me new comments on "Followed post"');
  expect(confirmation!.text).toContain('If it was not you, ignore this mail');
  expect(await subscription()).toEqual({ confirmedAt: null });

  // An approved comment by someone else: no mail to an unconfirmed address.
  await approve(await comment('Tia', 'tia@example.com'));
  await ctx.app.notifier.runOnce();
  expect(mailsTo('sam@reader.example')).toHaveLength(1);
});

it('sends at most one confirmation a day per address and post, whoever ticks the box', async () => {
  await subscribe('Sam', 'sam@reader.example');
  await subscribe('Someone else', 'SAM@reader.example');
  await ctx.app.notifier.runOnce();
  expect(mailsTo('sam@reader.example')).toHaveLength(1);
  ctx.clock.advance(24 * 3_600_000 + 1000);
  await subscribe('Sam', 'sam@reader.example');
  await ctx.app.notifier.runOnce();
  expect(mailsTo('sam@reader.example')).toHaveLength(2);
});

it('confirms by the button of the link’s page, not by opening it', async () => {
  const url = linkIn(mailsTo('sam@reader.example').at(-1)!.text!, 'Confirm that you want these mails')!;
  const page = await request(ctx.app).get(pathOf(url));
  expect(page.status).toBe(200);
  expect(page.text).toContain('Yes, mail me new comments');
  expect(page.headers['referrer-policy']).toBe('no-referrer');
  expect(await subscription()).toEqual({ confirmedAt: null });
  const confirmed = await request(ctx.app).post(pathOf(url));
  expect(confirmed.text).toContain('Subscription confirmed');
  expect(await subscription()).toEqual({ confirmedAt: expect.any(Date) });
});

it("mails a new approved comment, never the subscriber's own, with RFC 8058's headers and no one else's address", async () => {
  smtp.mails.length = 0;
  await approve(await comment('Sam', 'sam@reader.example'));
  await ctx.app.notifier.runOnce();
  expect(mailsTo('sam@reader.example')).toHaveLength(0);

  const id = await comment('Uma', 'uma@private.example', { comment: 'A <b>reply</b> worth reading.' });
  await ctx.app.notifier.runOnce();
  expect(mailsTo('sam@reader.example')).toHaveLength(0); // held: not yet
  await approve(id);
  await ctx.app.notifier.runOnce();
  await approve(id); // approving again sends nothing more
  await ctx.app.notifier.runOnce();
  const [mail, ...more] = mailsTo('sam@reader.example');
  expect(more).toHaveLength(0);
  expect(mail!.subject).toBe('[marginalia] New comment on "Followed post"');
  expect(mail!.text).toContain('Uma commented on "Followed post":');
  expect(mail!.text).toContain('> A <b>reply</b> worth reading.');
  expect(mail!.text).toContain(`https://blog.example/posts/${slug}/comments/${id}`);
  expect(String(mail!.html)).toContain('A &lt;b&gt;reply&lt;/b&gt; worth reading.');
  for (const part of [mail!.text, String(mail!.html), JSON.stringify(mail!.headerLines)])
    expect(part).not.toMatch(/uma@private\.example|tia@example\.com/);
  const unsubscribe = linkIn(mail!.text!, 'Unsubscribe')!;
  expect(headerLine(mail!, 'List-Unsubscribe')).toBe(`List-Unsubscribe: <${unsubscribe}>`);
  expect(headerLine(mail!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  expect(String(mail!.html)).toContain(`href="${unsubscribe}"`);
});

it('ends the subscription by a one-click POST, with no cookie or sign-in', async () => {
  const mail = mailsTo('sam@reader.example').at(-1)!;
  const unsubscribe = /<(.+)>/.exec(headerLine(mail, 'List-Unsubscribe')!)![1]!;
  const page = await request(ctx.app).get(pathOf(unsubscribe));
  expect(page.text).toContain('Stop the mail about new comments on “Followed post”?');
  expect(await subscription()).not.toBeNull();
  const res = await request(ctx.app).post(pathOf(unsubscribe)).type('form').send('List-Unsubscribe=One-Click');
  expect(res.status).toBe(200);
  expect(res.text).toContain('Unsubscribed');
  expect(await subscription()).toBeNull();
  smtp.mails.length = 0;
  await approve(await comment('Vic', 'vic@example.com'));
  await ctx.app.notifier.runOnce();
  expect(mailsTo('sam@reader.example')).toHaveLength(0);
});

it('lists every post an address follows, from any mail, and ends them all', async () => {
  const other = await addPost(ctx.db, { title: 'Second followed post' });
  ctx.clock.advance(24 * 3_600_000 + 1000);
  for (const onSlug of [slug, other.slug]) await subscribe('Wyn', 'wyn@reader.example', onSlug);
  await ctx.app.notifier.runOnce();
  for (const confirmation of mailsTo('wyn@reader.example'))
    await request(ctx.app)
      .post(pathOf(linkIn(confirmation.text!, 'Confirm that you want these mails')!))
      .expect(200);
  await approve(await comment('Xan', 'xan@example.com', {}, other.slug));
  await ctx.app.notifier.runOnce();
  const reply = mailsTo('wyn@reader.example').find((mail) => mail.subject?.includes('New comment'))!;
  const manage = pathOf(linkIn(reply.text!, 'All your subscriptions')!);
  const page = await request(ctx.app).get(manage);
  expect(page.text).toContain('Followed post');
  expect(page.text).toContain('Second followed post');
  expect(page.text).not.toContain('wyn@reader.example');
  const ended = await request(ctx.app).post(manage);
  expect(ended.text).toContain('All subscriptions ended');
  expect(await ctx.db.subscription.count({ where: { email: 'wyn@reader.example' } })).toBe(0);
  expect((await request(ctx.app).get(manage)).text).toContain('This address follows no post.');
});

it('takes the box from the JSON API too', async () => {
  const res = await request(ctx.app)
    .post(`/api/posts/${slug}/comments`)
    .send({ author: 'Zed', email: 'zed@reader.example', comment: 'Through the API.', subscribe_comments: true });
  expect(res.status).toBe(201);
  expect(JSON.stringify(res.body)).not.toContain('zed@reader.example');
  await approve(res.body.comment.id as number);
  await ctx.app.notifier.runOnce();
  expect(mailsTo('zed@reader.example').map((mail) => mail.subject)).toEqual([
    '[marginalia] Confirm: mail me new comments on "Followed post"',
  ]);
});

it('refuses altered and unknown links without saying anything about anyone', async () => {
  for (const path of [
    '/subscriptions/confirm/abc.def',
    '/subscriptions/unsubscribe/x',
    '/subscriptions/manage/e30.AAAA',
  ]) {
    const res = await request(ctx.app).post(path).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Link not recognised');
  }
});

it('offers no box when mail is off', async () => {
  const off = await buildTestApp();
  try {
    const post = await addPost(off.db);
    const page = await request(off.app).get(`/posts/${post.slug}`);
    expect(page.status).toBe(200);
    expect(fieldValue(page.text, 'subscribe_comments')).toBeUndefined();
  } finally {
    await off.close();
  }
});

it("keeps the links' tokens out of the access log", async () => {
  ctx.logLines.length = 0;
  await request(ctx.app).get('/subscriptions/unsubscribe/some-token.value').expect(404);
  await request(ctx.app).get('/moderate/another-token.value').expect(404);
  // However the address is written: any case, a trailing slash, the whole URL.
  await request(ctx.app).get('/MODERATE/third-token.value/');
  await request(ctx.app).get('/moderate/fifth-token.value/more');
  await request(ctx.app).get('/Subscriptions/Unsubscribe/fourth-token.value');
  const log = ctx.logLines.join('');
  expect(log).toContain('"path":"/subscriptions/unsubscribe/…"');
  expect(log).toContain('"path":"/moderate/…"');
  expect(log).toContain('"path":"/MODERATE/…/"');
  expect(log).toContain('"path":"/moderate/…/more"');
  expect(log).not.toContain('token.value');
});

// Found by attacking the feature (each failed before its fix).

it('asks no confirmation for a comment judged spam: its address may be anyone’s', async () => {
  smtp.mails.length = 0;
  await comment('Bot', 'victim@elsewhere.example', { subscribe_comments: 'yes', reply_note: 'https://spam.example' });
  await ctx.app.notifier.runOnce();
  expect(mailsTo('victim@elsewhere.example')).toHaveLength(0);
  expect(await ctx.db.subscription.count({ where: { email: 'victim@elsewhere.example' } })).toBe(0);
});

it('keeps a reply mail’s row small, writing the mail when it is sent, and sends none for a comment no longer published', async () => {
  ctx.clock.advance(24 * 3_600_000 + 1000);
  await subscribe('Ola', 'ola@reader.example');
  await ctx.app.notifier.runOnce();
  await request(ctx.app)
    .post(pathOf(linkIn(mailsTo('ola@reader.example').at(-1)!.text!, 'Confirm that you want these mails')!))
    .expect(200);
  const long = `${'A long comment. '.repeat(3000)}The end.`;
  const id = await comment('Pim', 'pim@example.com', { comment: long });
  await approve(id);
  await ctx.app.notifier.runOnce();
  const [row] = await ctx.db.delivery.findMany({ where: { kind: 'reply', commentId: id } });
  expect(row).toMatchObject({ status: 'sent', body: '', html: null });
  expect(mailsTo('ola@reader.example').at(-1)!.text).toContain('The end.');

  // Approved, then trashed before the sender ran: nothing goes out.
  const later = await comment('Pim', 'pim@example.com');
  await approve(later);
  await request(ctx.app)
    .patch(`/admin/api/comments/${later}`)
    .set('Authorization', `Bearer ${apiToken}`)
    .send({ status: 'trash' })
    .expect(200);
  await ctx.app.notifier.runOnce();
  expect(
    mailsTo('ola@reader.example')
      .map((mail) => mail.text)
      .join(''),
  ).not.toContain(`Comment ${sequence} by Pim`);
  expect(await ctx.db.delivery.findFirst({ where: { kind: 'reply', commentId: later } })).toMatchObject({
    status: 'cancelled',
    lastError: 'Not sent: the comment is no longer published.',
  });
});

it('forgets deliveries a month after they went, and subscriptions never confirmed after eight days', async () => {
  ctx.clock.advance(24 * 3_600_000 + 1000);
  await subscribe('Quin', 'quin@reader.example');
  await ctx.app.notifier.runOnce();
  expect(await ctx.db.subscription.count({ where: { email: 'quin@reader.example' } })).toBe(1);
  const confirmed = await ctx.db.subscription.count({ where: { confirmedAt: { not: null } } });
  expect(confirmed).toBeGreaterThan(0);
  ctx.clock.advance(31 * 24 * 3_600_000);
  await ctx.app.notifier.runOnce();
  expect(await ctx.db.subscription.count({ where: { email: 'quin@reader.example' } })).toBe(0);
  expect(await ctx.db.subscription.count({ where: { confirmedAt: { not: null } } })).toBe(confirmed);
  expect(await ctx.db.delivery.count({ where: { status: 'sent' } })).toBe(0);
});
