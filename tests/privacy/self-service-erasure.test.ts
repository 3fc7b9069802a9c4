import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { formBody } from '../helpers/html';
import { moderatorEnv } from '../helpers/moderator';
import { recipientsOf, startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// A commenter erases their own comments: the form mails a signed link to the address, so only the
// address's owner can act, and its answer is the same whatever the address.

let smtp: TestSmtp;
let ctx: TestContext;
beforeAll(async () => {
  smtp = await startTestSmtp();
  ctx = await buildTestApp({
    ...moderatorEnv,
    PUBLIC_URL: 'https://blog.example',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'comments@blog.example',
  });
});
afterAll(async () => {
  await ctx.close();
  await smtp.stop();
});

const ask = (email: string) => request(ctx.app).post('/privacy/erase').type('form').send(formBody({ email }));

/** The erasure link in the last mail to `email`, as a path. */
async function linkMailedTo(email: string): Promise<string> {
  await ctx.app.notifier.runOnce();
  const mail = smtp.mails.filter((sent) => recipientsOf(sent).includes(email)).at(-1);
  if (!mail) throw new Error(`no mail to ${email}`);
  const url = /https:\/\/blog\.example(\/privacy\/erase\/\S+)/.exec(mail.text ?? '')?.[1];
  if (!url) throw new Error('no link in the mail');
  return url;
}

it('mails the address a link that shows the choice, erases as chosen, and works once', async () => {
  const post = await addPost(ctx.db);
  const email = 'lena@example.com';
  const first = await addComment(ctx.db, post.id, { authorEmail: email, authorName: 'Lena', text: 'First word' });
  await addComment(ctx.db, post.id, { authorEmail: email, authorName: 'Lena', text: 'Second word' });
  const other = await addComment(ctx.db, post.id, { authorEmail: 'max@example.com', authorName: 'Max' });

  const asked = await ask(email).expect(200);
  expect(asked.text).toContain('If comments were written under that address here, a mail with a link is on its way');
  expect(asked.headers['cache-control']).toBe('no-store');
  const link = await linkMailedTo(email);
  const mail = smtp.mails.at(-1)!;
  expect(mail.subject).toBe('[marginalia] Erase your comments');
  expect(mail.text).not.toContain('max@example.com');

  const page = await request(ctx.app).get(link).expect(200);
  expect(page.text).toContain('This address wrote 2 comments here.');
  expect(page.text).not.toContain(email);
  // Nothing is done without a choice.
  const unchosen = await request(ctx.app).post(link).type('form').send('').expect(422);
  expect(unchosen.text).toContain('Choose how to erase your comments.');
  expect(await ctx.db.comment.count({ where: { authorEmail: email } })).toBe(2);

  const done = await request(ctx.app)
    .post(link)
    .type('form')
    .send(formBody({ mode: 'delete' }))
    .expect(200);
  expect(done.text).toContain('Done: 2 comments deleted.');
  expect(await ctx.db.comment.count({ where: { authorEmail: email } })).toBe(0);
  expect(await ctx.db.comment.findUnique({ where: { id: other.id } })).not.toBeNull();
  expect(await ctx.db.comment.findUnique({ where: { id: first.id } })).toBeNull();

  const again = await request(ctx.app).get(link).expect(410);
  expect(again.text).toContain('Link already used');
  expect(ctx.logLines.join('')).not.toContain(email);
});

it('answers every address alike, and mails only an address that has something here, once a day', async () => {
  const post = await addPost(ctx.db);
  await addComment(ctx.db, post.id, { authorEmail: 'kai@example.com', authorName: 'Kai' });
  const before = smtp.mails.length;
  const known = await ask('kai@example.com').expect(200);
  const unknown = await ask('nobody-here@example.com').expect(200);
  expect(unknown.text).toBe(known.text);
  await ctx.app.notifier.runOnce();
  expect(smtp.mails.length).toBe(before + 1);
  expect(recipientsOf(smtp.mails.at(-1)!)).toEqual(['kai@example.com']);

  // Asked again the same day: the same answer, no second mail.
  expect((await ask('kai@example.com').expect(200)).text).toBe(known.text);
  await ctx.app.notifier.runOnce();
  expect(smtp.mails.length).toBe(before + 1);
});

it('refuses a link it did not sign or that has expired, and an address that is not one', async () => {
  const post = await addPost(ctx.db);
  await addComment(ctx.db, post.id, { authorEmail: 'ola@example.com' });
  await ask('ola@example.com').expect(200);
  const link = await linkMailedTo('ola@example.com');
  const forged = `${link.slice(0, -4)}AAAA`;
  expect((await request(ctx.app).get(forged).expect(404)).text).toContain('Link not recognised');
  expect(
    (
      await request(ctx.app)
        .post(forged)
        .type('form')
        .send(formBody({ mode: 'delete' }))
    ).status,
  ).toBe(404);
  ctx.clock.advance(25 * 3_600_000);
  expect((await request(ctx.app).get(link).expect(410)).text).toContain('Link expired');
  expect(await ctx.db.comment.count({ where: { authorEmail: 'ola@example.com' } })).toBe(1);

  const invalid = await ask('not an address').expect(422);
  expect(invalid.text).toContain('value="not an address"');
  expect(invalid.text).toContain('aria-invalid="true"');
});

it('without mail, points the commenter to the site’s owner and sends nothing', async () => {
  const quiet = await buildTestApp();
  try {
    const page = await request(quiet.app).get('/privacy/erase').expect(200);
    expect(page.text).toContain('write to the owner of this blog');
    expect(page.text).not.toContain('name="email"');
    await request(quiet.app)
      .post('/privacy/erase')
      .type('form')
      .send(formBody({ email: 'a@example.com' }))
      .expect(200);
    expect(await quiet.db.erasureRequest.count()).toBe(0);
  } finally {
    await quiet.close();
  }
});

it('stores every request alike and leaves the rest to the sender; the link never reaches the log', async () => {
  const post = await addPost(ctx.db);
  await addComment(ctx.db, post.id, { authorEmail: 'uri@example.com' });
  await ask('uri@example.com').expect(200);
  await ask('never-here@example.com').expect(200);
  // The request path does the same for both: one row each, as asked.
  expect(
    await ctx.db.erasureRequest.count({ where: { email: { in: ['uri@example.com', 'never-here@example.com'] } } }),
  ).toBe(2);
  const link = await linkMailedTo('uri@example.com');
  expect(await ctx.db.erasureRequest.findMany({ where: { email: 'never-here@example.com' } })).toEqual([]);
  expect(await ctx.db.erasureRequest.count({ where: { email: 'uri@example.com', mailedAt: { not: null } } })).toBe(1);

  await request(ctx.app).get(link).expect(200);
  const token = link.split('/').at(-1)!;
  expect(ctx.logLines.join('')).not.toContain(token);
  expect(ctx.logLines.join('')).toContain('/privacy/erase/…');
});

it('gives the erase form a limit of its own, apart from the comment form’s', async () => {
  const limited = await buildTestApp({
    PUBLIC_URL: 'https://blog.example',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'c@blog.example',
  });
  try {
    for (let n = 0; n < 10; n += 1)
      await request(limited.app)
        .post('/privacy/erase')
        .type('form')
        .send(formBody({ email: `n${n}@example.com` }))
        .expect(200);
    const refused = await request(limited.app)
      .post('/privacy/erase')
      .type('form')
      .send(formBody({ email: 'x@example.com' }));
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Too many requests from your network. Please try again in');
    // Comments are still welcome from the same network.
    const post = await addPost(limited.db);
    await request(limited.app)
      .post(`/api/posts/${post.slug}/comments`)
      .send({ comment: 'Still here', author: 'A', email: 'a@example.com' })
      .expect(201);
  } finally {
    await limited.close();
  }
});
