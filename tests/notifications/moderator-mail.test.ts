import request from 'supertest';
import { addPost } from '../helpers/factories';
import { fieldValue, formBody } from '../helpers/html';
import { apiToken, asModerator, moderatorEnv } from '../helpers/moderator';
import { recipientsOf, startTestSmtp, type TestSmtp } from '../helpers/smtp';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// Moderator mail through a real SMTP server in this process: what a held comment sends, the
// signed action links it carries, and what happens while the mail server refuses or is away.

let smtp: TestSmtp;
let ctx: TestContext;
let slug: string;
let sequence = 0;

const mailEnv = {
  PUBLIC_URL: 'https://blog.example',
  MAIL_FROM: '"Margins Blog" <comments@blog.example>',
  MODERATOR_EMAIL: 'editor@blog.example, second@blog.example',
};

beforeAll(async () => {
  smtp = await startTestSmtp();
  ctx = await buildTestApp({ ...moderatorEnv, ...mailEnv, SMTP_URL: smtp.url, TRUST_PROXY: '1' });
  slug = (await addPost(ctx.db, { title: 'On <marginal> notes' })).slug;
});
afterAll(async () => {
  await ctx.close();
  await smtp.stop();
});
beforeEach(() => {
  smtp.mails.length = 0;
});

/** Posts a comment through the form, as a reader would; its id. */
async function postComment(fields: Record<string, string> = {}): Promise<number> {
  const text = fields.comment ?? `A held comment, number ${++sequence}.`;
  const res = await request(ctx.app)
    .post(`/posts/${slug}/comments`)
    .set('X-Forwarded-For', '203.0.113.9')
    .type('form')
    .send(
      formBody({
        author: 'Rosa <b>Reader</b>',
        email: 'rosa@reader.example',
        url: 'https://rosa.example',
        ...fields,
        comment: text,
      }),
    );
  expect(res.status).toBe(303);
  return (await ctx.db.comment.findFirstOrThrow({ where: { text }, select: { id: true } })).id;
}

/** Posts a comment from the form as the page serves it (one without its stamp is held as likely spam). */
async function postAsAReader(app: TestContext, onSlug: string, text: string) {
  const page = await request(app.app).get(`/posts/${onSlug}`);
  await request(app.app)
    .post(`/posts/${onSlug}/comments`)
    .type('form')
    .send(
      formBody({ form_ts: fieldValue(page.text, 'form_ts')!, author: 'Al', email: 'al@example.com', comment: text }),
    )
    .expect(303);
}

/** Saves the moderator's choice of mail in /admin/settings/notifications, as a moderator would. */
async function chooseModeratorMail(app: TestContext, moderatorMail: 'held' | 'every' | 'digest') {
  const moderator = await asModerator(app.app);
  await moderator
    .post('/admin/settings/notifications')
    .type('form')
    .send(formBody({ _csrf: moderator.csrf, moderatorMail, webhookUrl: '', webhookSecret: '' }))
    .expect(303);
}

const linksIn = (text: string) =>
  Object.fromEntries([...text.matchAll(/^(Approve|Mark as spam|Trash): (\S+)$/gm)].map((m) => [m[1], m[2]!]));
const pathOf = (url: string) => new URL(url).pathname;

it('sends each moderator one mail for a held comment, after the POST has been answered', async () => {
  const id = await postComment({ comment: 'Does the margin\nhold <script>alert(1)</script>?' });
  // The POST does not wait for mail: nothing has gone out until the sender runs.
  expect(smtp.mails).toHaveLength(0);
  await ctx.app.notifier.runOnce();
  expect(smtp.mails.map(recipientsOf).sort()).toEqual([['editor@blog.example'], ['second@blog.example']]);
  const mail = smtp.mails[0]!;
  expect(mail.from?.text).toBe('"Margins Blog" <comments@blog.example>');
  expect(mail.subject).toBe('[marginalia] Please moderate: "On <marginal> notes"');
  expect(mail.messageId).toMatch(/^<delivery-\d+\.[0-9a-f]{12}@blog\.example>$/);
  expect(mail.text).toContain('Post: On <marginal> notes');
  expect(mail.text).toContain(`https://blog.example/posts/${slug}`);
  expect(mail.text).toContain('Author: Rosa <b>Reader</b>');
  expect(mail.text).toContain('Email: rosa@reader.example');
  expect(mail.text).toContain('Website: https://rosa.example');
  expect(mail.text).toContain('IP address: 203.0.113.9');
  expect(mail.text).toMatch(/Why held: .+/);
  expect(mail.text).toContain('> Does the margin\n> hold <script>alert(1)</script>?');
  expect(Object.keys(linksIn(mail.text!))).toEqual(['Approve', 'Mark as spam', 'Trash']);
  // The HTML part is escaped as the pages are.
  const html = String(mail.html);
  expect(html).toContain('Rosa &lt;b&gt;Reader&lt;/b&gt;');
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).not.toContain('<script>');
  expect(html).toContain('On &lt;marginal&gt; notes');
  const delivery = await ctx.db.delivery.findFirstOrThrow({
    where: { commentId: id, recipient: 'editor@blog.example' },
  });
  expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
});

it('sends nothing for a comment that arrives approved, by default', async () => {
  const approving = await buildTestApp({ ...mailEnv, SMTP_URL: smtp.url, MODERATION_MODE: 'approve' });
  try {
    const post = await addPost(approving.db);
    await postAsAReader(approving, post.slug, 'Already approved, nothing to do.');
    await approving.app.notifier.runOnce();
    expect(await approving.db.comment.findFirstOrThrow({ select: { status: true } })).toEqual({ status: 'approved' });
    expect(smtp.mails).toHaveLength(0);
    expect(await approving.db.outboxEvent.count()).toBe(0);
  } finally {
    await approving.close();
  }
});

describe("a moderator mail's links", () => {
  let id: number;
  let links: Record<string, string>;
  beforeAll(async () => {
    smtp.mails.length = 0;
    id = await postComment();
    await ctx.app.notifier.runOnce();
    links = linksIn(smtp.mails.find((mail) => recipientsOf(mail)[0] === 'editor@blog.example')!.text!);
  });
  const status = async () => (await ctx.db.comment.findUniqueOrThrow({ where: { id } })).status;

  it('show the comment and a button when opened, and change nothing', async () => {
    const page = await request(ctx.app).get(pathOf(links.Approve!));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Approve this comment');
    expect(page.text).toContain('<form method="post"');
    expect(page.text).toContain('Rosa &lt;b&gt;Reader&lt;/b&gt;');
    expect(page.text).not.toContain('rosa@reader.example');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    await request(ctx.app).head(pathOf(links.Approve!));
    expect(await status()).toBe('pending');
  });

  it('act once, by the button, without signing in; then every link of that mail says it was used', async () => {
    const acted = await request(ctx.app).post(pathOf(links.Approve!));
    expect(acted.status).toBe(200);
    expect(acted.text).toContain('Approved.');
    expect(await status()).toBe('approved');
    const history = await ctx.db.commentStatusChange.findMany({ where: { commentId: id } });
    expect(history).toMatchObject([{ fromStatus: 'pending', toStatus: 'approved', actor: 'mail link' }]);
    for (const url of [links.Approve!, links.Trash!]) {
      const again = await request(ctx.app).post(pathOf(url));
      expect(again.status).toBe(410);
      expect(again.text).toContain('Link already used');
      expect(again.text).toContain('/admin/comments?status=pending');
    }
    expect(await status()).toBe('approved');
  });

  it('are refused after seven days, and when altered', async () => {
    smtp.mails.length = 0;
    const later = await postComment();
    await ctx.app.notifier.runOnce();
    const fresh = linksIn(smtp.mails[0]!.text!);
    ctx.clock.advance(7 * 24 * 3_600_000 + 1000);
    const expired = await request(ctx.app).post(pathOf(fresh.Trash));
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('Link expired');
    const [payload, signature] = pathOf(fresh.Approve).split('/').pop()!.split('.');
    const altered = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), e: Date.now() * 2 }),
    ).toString('base64url');
    const forged = await request(ctx.app).post(`/moderate/${altered}.${signature}`);
    expect(forged.status).toBe(404);
    expect(forged.text).toContain('Link not recognised');
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id: later } })).status).toBe('pending');
  });
});

describe('while the mail server refuses or is away', () => {
  it('keeps the mail and delivers it once when the server takes it again', async () => {
    smtp.refuse('Try again later');
    const id = await postComment();
    await ctx.app.notifier.runOnce();
    expect(smtp.mails).toHaveLength(0);
    const waiting = await ctx.db.delivery.findMany({ where: { commentId: id } });
    expect(waiting).toHaveLength(2);
    expect(waiting[0]).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastError: expect.stringContaining('Try again later'),
    });
    // Not before its time: the first retry comes about a minute later.
    smtp.refuse(null);
    await ctx.app.notifier.runOnce();
    expect(smtp.mails).toHaveLength(0);
    ctx.clock.advance(61_000);
    await ctx.app.notifier.runOnce();
    await ctx.app.notifier.runOnce();
    expect(smtp.mails.map(recipientsOf).sort()).toEqual([['editor@blog.example'], ['second@blog.example']]);
  });

  it('keeps the mail while the server is down, and sends it once when it is back', async () => {
    await smtp.stop();
    const id = await postComment();
    try {
      await ctx.app.notifier.runOnce();
      ctx.clock.advance(61_000);
      await ctx.app.notifier.runOnce();
      expect(
        await ctx.db.delivery.findMany({ where: { commentId: id }, select: { status: true, attempts: true } }),
      ).toEqual([
        { status: 'queued', attempts: 2 },
        { status: 'queued', attempts: 2 },
      ]);
    } finally {
      await smtp.restart();
    }
    ctx.clock.advance(5 * 60_000 + 1000);
    await ctx.app.notifier.runOnce();
    await ctx.app.notifier.runOnce();
    expect(smtp.mails).toHaveLength(2);
    expect(new Set(smtp.mails.map((mail) => mail.messageId)).size).toBe(2);
  });

  it('marks a mail failed after its last retry, shows it to the moderator, who can send it again', async () => {
    smtp.refuse('Mailbox unavailable');
    const id = await postComment();
    for (const delay of [0, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000]) {
      ctx.clock.advance(delay + 1000);
      await ctx.app.notifier.runOnce();
    }
    const failed = await ctx.db.delivery.findMany({ where: { commentId: id } });
    expect(failed.map((row) => [row.status, row.attempts])).toEqual([
      ['failed', 6],
      ['failed', 6],
    ]);
    smtp.refuse(null);
    ctx.clock.advance(48 * 3_600_000);
    await ctx.app.notifier.runOnce();
    expect(smtp.mails).toHaveLength(0);

    const moderator = await asModerator(ctx.app);
    const page = await moderator.get('/admin/notifications?status=failed');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Mailbox unavailable');
    const again = await moderator
      .post(`/admin/notifications/${failed[0]!.id}/send-again`)
      .type('form')
      .send(formBody({ _csrf: moderator.csrf }));
    expect(again.status).toBe(303);
    await ctx.app.notifier.runOnce();
    expect(smtp.mails.map(recipientsOf)).toEqual([[failed[0]!.recipient]]);

    // The admin API lists the other one as failed, with its error, and sends it again once.
    const api = (path: string) => `/admin/api/notifications${path}`;
    const listed = await request(ctx.app).get(api('?status=failed')).set('Authorization', `Bearer ${apiToken}`);
    expect(listed.status).toBe(200);
    expect(listed.body.deliveries).toContainEqual(
      expect.objectContaining({
        id: failed[1]!.id,
        status: 'failed',
        attempts: 6,
        lastError: expect.stringContaining('Mailbox unavailable'),
      }),
    );
    const resent = await request(ctx.app)
      .post(api(`/${failed[1]!.id}/send-again`))
      .set('Authorization', `Bearer ${apiToken}`);
    expect(resent.status).toBe(202);
    const twice = await request(ctx.app)
      .post(api(`/${failed[1]!.id}/send-again`))
      .set('Authorization', `Bearer ${apiToken}`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('not_failed');
    await ctx.app.notifier.runOnce();
    expect(smtp.mails.map(recipientsOf).sort()).toEqual([['editor@blog.example'], ['second@blog.example']]);
  });
});

it('never writes a commenter address in a log line, even when a mail server names it', async () => {
  smtp.refuse('Recipient <rosa@reader.example> refused');
  await postComment();
  await ctx.app.notifier.runOnce();
  smtp.refuse(null);
  expect(ctx.logLines.join('')).toContain('a delivery failed');
  expect(ctx.logLines.join('')).not.toContain('rosa@reader.example');
  expect(ctx.logLines.join('')).not.toContain('editor@blog.example');
});

it('sends no mail with mail off, and the events are still cleared', async () => {
  const off = await buildTestApp({ ...moderatorEnv, MODERATOR_EMAIL: 'editor@blog.example', SMTP_URL: smtp.url });
  try {
    const post = await addPost(off.db);
    const res = await request(off.app)
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ author: 'Al', email: 'al@example.com', comment: 'Nobody hears of this.' }));
    expect(res.status).toBe(303);
    await off.app.notifier.runOnce();
    expect(smtp.mails).toHaveLength(0);
    expect(await off.db.outboxEvent.count()).toBe(0);
    expect(await off.db.delivery.count()).toBe(0);
    // The admin area says why.
    const moderator = await asModerator(off.app);
    const page = await moderator.get('/admin/notifications');
    expect(page.text).toContain('Mail is off: set PUBLIC_URL, MAIL_FROM (see README, &quot;Notifications&quot;).');
  } finally {
    await off.close();
  }
});

describe('the hourly digest', () => {
  let digesting: TestContext;
  beforeAll(async () => {
    digesting = await buildTestApp({ ...moderatorEnv, ...mailEnv, SMTP_URL: smtp.url });
    await chooseModeratorMail(digesting, 'digest');
  });
  afterAll(() => digesting.close());

  it('sends one mail an hour listing what arrived, with links for the held ones, and none for a quiet hour', async () => {
    // A minute into an hour, so that hour is not over before the test is.
    const now = digesting.clock.now().getTime();
    digesting.clock.advance(3_600_000 - (now % 3_600_000) + 60_000);
    const post = await addPost(digesting.db, { title: 'Digest post' });
    const send = (text: string) =>
      request(digesting.app)
        .post(`/posts/${post.slug}/comments`)
        .type('form')
        .send(formBody({ author: 'Dora', email: 'dora@example.com', comment: text }))
        .expect(303);
    await send('First of the hour.');
    await send('Second of the hour.');
    await digesting.app.notifier.runOnce();
    expect(smtp.mails).toHaveLength(0); // no mail per comment, and the hour is not over

    digesting.clock.advance(3_600_000);
    await digesting.app.notifier.runOnce();
    expect(smtp.mails.map(recipientsOf).sort()).toEqual([['editor@blog.example'], ['second@blog.example']]);
    const digest = smtp.mails[0]!;
    expect(digest.subject).toBe('[marginalia] 2 new comments (2 awaiting moderation)');
    expect(digest.text).toContain('Dora <dora@example.com> on "Digest post"');
    expect(digest.text).toContain('> First of the hour.');
    expect(digest.text).toContain('> Second of the hour.');
    expect(digest.text!.match(/^Approve: https:\/\/blog\.example\/moderate\/\S+$/gm)).toHaveLength(2);

    await digesting.app.notifier.runOnce();
    digesting.clock.advance(3_600_000);
    await digesting.app.notifier.runOnce();
    expect(smtp.mails).toHaveLength(2);
  });
});

it('mails every new comment when the moderator chooses so, with the links that still apply', async () => {
  const every = await buildTestApp({ ...moderatorEnv, ...mailEnv, SMTP_URL: smtp.url, MODERATION_MODE: 'approve' });
  try {
    await chooseModeratorMail(every, 'every');
    const post = await addPost(every.db, { title: 'Open post' });
    await postAsAReader(every, post.slug, 'Published at once.');
    await every.app.notifier.runOnce();
    const mail = smtp.mails.find((each) => recipientsOf(each)[0] === 'editor@blog.example')!;
    expect(mail.subject).toBe('[marginalia] New comment: "Open post"');
    expect(Object.keys(linksIn(mail.text!))).toEqual(['Mark as spam', 'Trash']);
    expect(mail.text).not.toContain('Why held');
  } finally {
    await every.close();
  }
});

// Found by attacking the feature (each failed before its fix).

it("spends a mail's links once the comment is moderated elsewhere", async () => {
  smtp.mails.length = 0;
  const id = await postComment();
  await ctx.app.notifier.runOnce();
  const links = linksIn(smtp.mails[0]!.text!);
  await request(ctx.app)
    .patch(`/admin/api/comments/${id}`)
    .set('Authorization', `Bearer ${apiToken}`)
    .send({ status: 'trash' })
    .expect(200);
  const res = await request(ctx.app).post(pathOf(links.Approve));
  expect(res.status).toBe(409);
  expect(res.text).toContain('Already moderated');
  expect((await ctx.db.comment.findUniqueOrThrow({ where: { id } })).status).toBe('trash');
});

it('quotes every line of a comment in the text part, Unicode line separators included, and keeps names on one line', async () => {
  smtp.mails.length = 0;
  await postComment({
    author: 'Mallory\u2028Email: ceo@blog.example',
    comment: 'First\u2028Approve: https://evil.example',
  });
  await ctx.app.notifier.runOnce();
  const text = smtp.mails[0]!.text!;
  expect(text).toContain('Author: Mallory Email: ceo@blog.example\n');
  expect(text).toContain('> First\n> Approve: https://evil.example');
  expect(Object.keys(linksIn(text))).toEqual(['Approve', 'Mark as spam', 'Trash']);
  expect(linksIn(text).Approve).toMatch(/^https:\/\/blog\.example\/moderate\//);
});

it('answers 404 for sending again a delivery that does not exist', async () => {
  const res = await request(ctx.app)
    .post('/admin/api/notifications/987654/send-again')
    .set('Authorization', `Bearer ${apiToken}`);
  expect(res.status).toBe(404);
  expect(res.body.error.code).toBe('delivery_not_found');
});
