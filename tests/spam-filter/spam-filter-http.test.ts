import path from 'node:path';
import request from 'supertest';
import { databaseUrlOf } from '../../src/shared/database-location';
import { createSpamFilter, minimumLessons } from '../../src/spam-filter/spam-filter-service';
import { createSpamModelRepository } from '../../src/spam-filter/spam-model-repository';
import { StaleReadError } from '../../src/shared/stale-read';
import { spamTokensOf } from '../../src/spam-filter/spam-tokens';
import { runBuiltTool } from '../helpers/built-tool';
import { addComment, addPost } from '../helpers/factories';
import { importFixture } from '../helpers/import-fixtures';
import { apiToken, asModerator, moderationSettingsForm, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The spam filter in the app (issue 24): it scores every arriving comment, learns from the
// moderator's decisions and from imports, unlearns a reversed decision, acts only once it has
// learned from enough comments of each kind, and shows the moderator why.

interface GeneratedComment {
  name: string;
  url: string | null;
  text: string;
}
// The bench's generator of legitimate and spam comments (CommonJS, shared with bench/bench.mjs).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the generator is plain CommonJS
const { createCommentGenerator } = require(path.join(__dirname, '..', '..', 'bench', 'comment-generator.cjs')) as {
  createCommentGenerator: (seed?: number) => { legitimate(): GeneratedComment; spam(): GeneratedComment };
};

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
let slug: string;
let postId: number;
const generate = createCommentGenerator(11);

beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, TRUST_PROXY: '1' });
  ({ slug, id: postId } = await addPost(ctx.db));
});
afterAll(() => ctx.close());

async function setModeration(moderation: Record<string, unknown>) {
  await request(ctx.app).patch('/admin/api/settings').set(auth).send({ moderation }).expect(200);
}

async function bulk(ids: number[], status: string) {
  const res = await request(ctx.app).post('/admin/api/comments/bulk').set(auth).send({ ids, status });
  expect(res.status).toBe(200);
}

/** `count` generated comments of each kind, held, then decided by the moderator: spam and approved. */
async function teach(count: number) {
  const spam: number[] = [];
  const ham: number[] = [];
  const held = async ({ name, url, text }: GeneratedComment) =>
    (await addComment(ctx.db, postId, { status: 'pending', authorName: name, authorUrl: url, text })).id;
  for (let i = 0; i < count; i += 1) {
    spam.push(await held(generate.spam()));
    ham.push(await held(generate.legitimate()));
  }
  await bulk(spam, 'spam');
  await bulk(ham, 'approved');
  return { spam, ham };
}

let sent = 0;
/** Sends a comment as a reader would (the public API), and reads back how it was stored. */
async function submit(comment: GeneratedComment) {
  sent += 1;
  const res = await request(ctx.app)
    .post(`/api/posts/${slug}/comments`)
    .set('X-Forwarded-For', `203.0.113.${sent % 250}`)
    .send({ author: comment.name, email: `sender${sent}@example.com`, url: comment.url ?? '', comment: comment.text });
  expect(res.status).toBe(201);
  expect(JSON.stringify(res.body)).not.toMatch(/spam/i);
  return ctx.db.comment.findUniqueOrThrow({
    where: { id: res.body.comment.id },
    select: { id: true, status: true, arrivalNote: true, spamScore: true, spamReasons: true },
  });
}

const model = () => ctx.db.spamModel.findUnique({ where: { id: 1 } });
const tokenRow = (token: string) => ctx.db.spamToken.findUnique({ where: { token } });

describe('the spam filter, learning from the moderator', () => {
  it('scores every comment from the start, and changes nothing until it has learned from enough of each kind', async () => {
    await setModeration({ mode: 'approve' });
    const untaught = await submit(generate.spam());
    expect(untaught.spamScore).toBeCloseTo(0.5, 1);
    await teach(minimumLessons - 1);
    expect(await model()).toMatchObject({ spamComments: minimumLessons - 1, hamComments: minimumLessons - 1 });
    const spammy = await submit(generate.spam());
    expect(spammy.spamScore).toBeGreaterThan(0.9);
    expect(spammy).toMatchObject({ status: 'approved', arrivalNote: 'approved by the moderation mode' });
  });

  it('once trained, sends spam to spam and leaves legitimate comments to the rules', async () => {
    await teach(1);
    const spammy = await submit(generate.spam());
    expect(spammy.status).toBe('spam');
    expect(spammy.arrivalNote).toMatch(/^the spam filter scored it as spam \(0\.9\d|1\.00/);
    const approved = await submit(generate.legitimate());
    expect(approved).toMatchObject({ status: 'approved', arrivalNote: 'approved by the moderation mode' });
    expect(approved.spamScore).toBeLessThan(0.2);
    await setModeration({ mode: 'hold' });
    expect(await submit(generate.legitimate())).toMatchObject({
      status: 'pending',
      arrivalNote: 'held for moderation',
    });
    await setModeration({ mode: 'approve' });
  });

  it('holds a comment it is unsure of that the rules would approve', async () => {
    // Half the words of a spam comment, half of a reader's: evidence both ways.
    const bad = generate.spam();
    const good = generate.legitimate();
    const mixed = await submit({ name: good.name, url: null, text: `${good.text} ${bad.text}` });
    expect(mixed.spamScore).toBeGreaterThan(0.2);
    expect(mixed.spamScore).toBeLessThan(0.9);
    expect(mixed).toMatchObject({ status: 'pending' });
    expect(mixed.arrivalNote).toMatch(/^held: the spam filter is unsure of it/);
  });

  it('shows its score and the tokens that weighed in the admin API and the queue, naming real tokens', async () => {
    const bad = generate.spam();
    const stored = await submit(bad);
    const res = await request(ctx.app).get('/admin/api/comments?status=spam').set(auth).expect(200);
    const listed = res.body.comments.find((comment: { id: number }) => comment.id === stored.id);
    expect(listed.spamScore).toBeGreaterThan(0.9);
    expect(listed.spamReasons.length).toBeGreaterThan(0);
    const tokens = spamTokensOf({ text: bad.text, name: bad.name, url: bad.url });
    for (const reason of listed.spamReasons) {
      expect(tokens.has(reason.token)).toBe(true);
      expect(reason.probability).toBeGreaterThan(0.5);
    }
    const moderator = await asModerator(ctx.app);
    const queue = await moderator.get('/admin/comments?status=spam').expect(200);
    const row = queue.text.slice(queue.text.indexOf(`id="admin-comment-${stored.id}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toMatch(
      new RegExp(
        `Spam filter: <strong>spam</strong> \\(score ${listed.spamScore.toFixed(2)}\\)[\\s\\S]*Why this score[\\s\\S]*<code>${listed.spamReasons[0].token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</code> spam [>\\d. ]+ %`,
      ),
    );
    const edit = await moderator.get(`/admin/comments/${stored.id}/edit`).expect(200);
    expect(edit.text).toContain(`Spam filter: <strong>spam</strong> (score ${listed.spamScore.toFixed(2)})`);
    expect(edit.text).toMatch(/the spam filter scored it as spam \(0\.9\d|1\.00/);
    // A comment the filter never scored says so: null, and no reasons.
    const unscored = await addComment(ctx.db, postId, { status: 'pending' });
    const one = await request(ctx.app).get('/admin/api/comments?status=pending').set(auth);
    expect(one.body.comments.find((comment: { id: number }) => comment.id === unscored.id)).toMatchObject({
      spamScore: null,
      spamReasons: [],
    });
  });

  it('unlearns a reversed decision, and learns "not spam" as legitimate', async () => {
    const bad = { name: 'Okapi Deals', url: null, text: 'Zebrafinch discount outlet https://okapi-deals.example/' };
    const [id] = (
      await Promise.all([addComment(ctx.db, postId, { status: 'pending', authorName: bad.name, text: bad.text })])
    ).map((comment) => comment.id) as [number];
    const before = await model();
    await bulk([id], 'spam');
    expect(await tokenRow('zebrafinch')).toMatchObject({ spam: 1, ham: 0 });
    expect(await model()).toMatchObject({ spamComments: before!.spamComments + 1 });
    // Back to pending (unapproved, through the API): the decision is taken back.
    await bulk([id], 'pending');
    expect(await tokenRow('zebrafinch')).toBeNull();
    expect(await model()).toMatchObject({ spamComments: before!.spamComments, hamComments: before!.hamComments });
    expect((await ctx.db.comment.findUniqueOrThrow({ where: { id } })).spamLabel).toBeNull();
    // "Not spam" from the queue: legitimate, though it stays held.
    await bulk([id], 'spam');
    const moderator = await asModerator(ctx.app);
    await moderator
      .post('/admin/comments/moderate')
      .type('form')
      .send({ _csrf: moderator.csrf, single: `notspam:${id}`, return: '/admin/comments' })
      .expect(303);
    expect(await ctx.db.comment.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'pending',
      spamLabel: 'ham',
    });
    expect(await tokenRow('zebrafinch')).toMatchObject({ spam: 0, ham: 1 });
    // A moderator's edit: what it taught is learned again from its new words.
    await request(ctx.app)
      .patch(`/admin/api/comments/${id}`)
      .set(auth)
      .send({ comment: 'Capybara thoughts on the chapter.' })
      .expect(200);
    expect(await tokenRow('zebrafinch')).toBeNull();
    expect(await tokenRow('capybara')).toMatchObject({ spam: 0, ham: 1 });
  });

  it('learns from a comment once when the same decision is sent twice at once', async () => {
    const ids = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await addComment(ctx.db, postId, { status: 'pending', text: `Tapir number ${i}` })).id);
    const before = await model();
    await Promise.all([bulk(ids, 'spam'), bulk(ids, 'spam')]);
    expect(await model()).toMatchObject({ spamComments: before!.spamComments + 5 });
    expect(await tokenRow('tapir')).toMatchObject({ spam: 5, ham: 0 });
    await bulk(ids, 'trash');
    expect(await tokenRow('tapir')).toBeNull();
  });

  it('learns spam from the trash only when the settings say so', async () => {
    const first = await addComment(ctx.db, postId, { status: 'pending', text: 'Quokka quokka quokka.' });
    await bulk([first.id], 'trash');
    expect(await tokenRow('quokka')).toBeNull();
    await setModeration({ trashTeaches: 'spam' });
    const second = await addComment(ctx.db, postId, { status: 'pending', text: 'Quokka again.' });
    await bulk([second.id], 'trash');
    expect(await tokenRow('quokka')).toMatchObject({ spam: 1, ham: 0 });
    await setModeration({ trashTeaches: 'nothing' });
  });

  it('can be switched off: no score, and the rules alone decide', async () => {
    await setModeration({ spamFilter: false });
    const spammy = await submit(generate.spam());
    expect(spammy).toMatchObject({ status: 'approved', spamScore: null, spamReasons: null });
    const settingsPage = await (await asModerator(ctx.app)).get('/admin/settings').expect(200);
    expect(settingsPage.text).toMatch(/id="spamFilter-off" name="spamFilter" value="off" checked/);
    expect(settingsPage.text).toContain(`It has learned from ${minimumLessons + 1} spam`);
    // A settings form without the switch (an old page) is refused, and the filter stays off.
    const moderator = await asModerator(ctx.app);
    const oldForm = await moderator
      .post('/admin/settings')
      .type('form')
      .send({ ...moderationSettingsForm, spamFilter: undefined, trashTeaches: undefined, _csrf: moderator.csrf });
    expect(oldForm.status).toBe(422);
    expect(oldForm.text).toContain('Choose whether the spam filter is on.');
    expect((await request(ctx.app).get('/admin/api/settings').set(auth)).body.settings.moderation.spamFilter).toBe(
      false,
    );
    await setModeration({ spamFilter: true });
  });

  it('forgets what it learned from a commenter whose data is erased, and its notes never name them', async () => {
    for (const mode of ['anonymize', 'delete']) {
      const email = `${mode}@wonder.example`;
      const name = `Alice Wonder${mode}`;
      const learned = await addComment(ctx.db, postId, {
        status: 'pending',
        authorName: name,
        authorEmail: email,
        authorUrl: `https://${mode}-secret.example/`,
        text: `Teapots and ${mode} riddles.`,
      });
      await bulk([learned.id], 'approved');
      expect(await tokenRow(`name:wonder${mode}`)).toMatchObject({ ham: 1 });
      // Scored on arrival: its reasons may name it; its note does not.
      const held = await submit({ name, url: `https://${mode}-secret.example/`, text: generate.spam().text });
      await ctx.db.comment.update({ where: { id: held.id }, data: { authorEmail: email } });
      expect(held.arrivalNote).not.toMatch(/name:|site:/);
      const before = await model();
      await request(ctx.app).post('/admin/api/commenters/erase').set(auth).send({ email, mode }).expect(200);
      expect(await tokenRow(`name:wonder${mode}`)).toBeNull();
      expect(await tokenRow(`site:${mode}-secret.example`)).toBeNull();
      expect(await tokenRow('teapots')).toBeNull();
      expect(await model()).toMatchObject({ hamComments: before!.hamComments - 1 });
      const left = await ctx.db.comment.findMany({ where: { id: { in: [learned.id, held.id] } } });
      for (const comment of left) expect(comment).toMatchObject({ spamLabel: null, spamReasons: null });
    }
  });

  it('never learns a comment as it was before an erasure that came between the read and the write', async () => {
    const email = 'between@wonder.example';
    const comment = await addComment(ctx.db, postId, {
      status: 'pending',
      authorName: 'Betty Inbetween',
      authorEmail: email,
      text: 'Marmalade and crumpets.',
    });
    // A decision reads the comment, then the erasure commits, then the decision writes.
    const filter = createSpamFilter({
      repo: createSpamModelRepository(ctx.db),
      settings: () => Promise.resolve({ spamFilter: true, trashTeaches: 'nothing' as const }),
    });
    const [read] = await createSpamModelRepository(ctx.db).commentsByIds([comment.id]);
    const lesson = await filter.lessonFrom([{ comment: read!, to: 'approved', notSpam: false }]);
    await request(ctx.app).post('/admin/api/commenters/erase').set(auth).send({ email, mode: 'anonymize' }).expect(200);
    await expect(filter.learn(lesson)).rejects.toBeInstanceOf(StaleReadError);
    expect(await tokenRow('name:inbetween')).toBeNull();
    expect(await tokenRow('marmalade')).toBeNull();
  });

  it('keeps no note of an erased comment’s words on the placeholder left for its replies', async () => {
    const email = 'placeholder@wonder.example';
    const parent = await addComment(ctx.db, postId, {
      status: 'approved',
      authorEmail: email,
      text: 'Gooseberry fool.',
    });
    await ctx.db.comment.update({
      where: { id: parent.id },
      data: { arrivalNote: 'held: the spam filter is unsure of it (0.49: gooseberry, fool)', spamScore: 0.49 },
    });
    await bulk([parent.id], 'pending');
    await bulk([parent.id], 'approved');
    await addComment(ctx.db, postId, { status: 'approved', parentId: parent.id, text: 'A reply that stays.' });
    await request(ctx.app).post('/admin/api/commenters/erase').set(auth).send({ email, mode: 'delete' }).expect(200);
    const placeholder = await ctx.db.comment.findUniqueOrThrow({
      where: { id: parent.id },
      include: { statusChanges: true },
    });
    expect(placeholder).toMatchObject({
      erased: true,
      arrivalNote: null,
      spamScore: null,
      spamReasons: null,
      spamLabel: null,
    });
    expect(JSON.stringify(placeholder)).not.toMatch(/gooseberry/i);
  });

  it('retrains from scratch from the comments it learned from (npm run spam -- retrain)', async () => {
    const tokensBefore = await ctx.db.spamToken.findMany({
      orderBy: { token: 'asc' },
      select: { token: true, spam: true, ham: true },
    });
    const before = await model();
    // A count gone wrong (as after a crash between two versions): the retrain puts it right.
    await ctx.db.spamToken.update({ where: { token: 'capybara' }, data: { ham: 40 } });
    const run = await runBuiltTool('spam-filter/spam-cli.js', ['retrain'], databaseUrlOf(ctx.config.database), ctx.dir);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      new RegExp(`^Retrained from ${before!.spamComments} spam and ${before!.hamComments} legitimate comments`),
    );
    expect(run.code).toBe(0);
    expect(
      await ctx.db.spamToken.findMany({ orderBy: { token: 'asc' }, select: { token: true, spam: true, ham: true } }),
    ).toEqual(tokensBefore);
    const evaluated = await runBuiltTool(
      'spam-filter/spam-cli.js',
      ['evaluate', 'site', '--folds', '5'],
      databaseUrlOf(ctx.config.database),
      ctx.dir,
    );
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout).toContain(`site: ${before!.spamComments} spam, ${before!.hamComments} legitimate; 5-fold`);
  });

  it('carries what it learned in a marginalia export: importing it relearns the same model', async () => {
    const file = path.join(ctx.dir, 'learned.jsonl');
    const url = databaseUrlOf(ctx.config.database);
    expect((await runBuiltTool('exports/export-cli.js', ['json', file], url, ctx.dir)).code).toBe(0);
    const labeled = await ctx.db.comment.count({ where: { spamLabel: { not: null } } });
    const target = await buildTestApp();
    try {
      const targetUrl = databaseUrlOf(target.config.database);
      const dry = await runBuiltTool('imports/import-cli.js', ['json', file, '--dry-run'], targetUrl, target.dir);
      expect(dry.stdout).toContain(`the spam filter would learn from ${labeled} of them`);
      const run = await runBuiltTool('imports/import-cli.js', ['json', file], targetUrl, target.dir);
      expect(run.stdout).toContain(`the spam filter learned from ${labeled} of them`);
      const tokens = (db: TestContext['db']) =>
        db.spamToken.findMany({ orderBy: { token: 'asc' }, select: { token: true, spam: true, ham: true } });
      expect(await tokens(target.db)).toEqual(await tokens(ctx.db));
      const totals = await model();
      expect(await target.db.spamModel.findUnique({ where: { id: 1 } })).toMatchObject({
        spamComments: totals!.spamComments,
        hamComments: totals!.hamComments,
      });
    } finally {
      await target.close();
    }
  });
});

describe('the spam filter, learning from an import', () => {
  let fresh: TestContext;
  beforeAll(async () => {
    fresh = await buildTestApp(moderatorEnv);
  });
  afterAll(() => fresh.close());

  it('learns the approved comments of a WordPress export as legitimate and its spam as spam', async () => {
    const moderator = await asModerator(fresh.app);
    expect((await moderator.get('/admin/settings')).text).toContain('It has learned from 0 spam and 0 legitimate');
    const res = await request(fresh.app)
      .post('/admin/api/imports')
      .set(auth)
      .field('format', 'wordpress')
      .attach('file', importFixture('wxr-1.2.xml'));
    expect(res.status).toBe(200);
    const { approved, spam } = res.body.report.comments.created;
    expect(res.body.report.spamFilterLearned).toBe(approved + spam);
    const labels = await fresh.db.comment.groupBy({ by: ['status', 'spamLabel'], _count: { _all: true } });
    expect(labels.map((group) => [group.status, group.spamLabel, group._count._all]).sort()).toEqual(
      [
        ['approved', 'ham', approved],
        ['spam', 'spam', spam],
        ...labels
          .filter((group) => group.status !== 'approved' && group.status !== 'spam')
          .map((group) => [group.status, null, group._count._all]),
      ].sort(),
    );
    expect(await fresh.db.spamModel.findUnique({ where: { id: 1 } })).toMatchObject({
      spamComments: spam,
      hamComments: approved,
    });
    const ada = await fresh.db.comment.findFirstOrThrow({ where: { authorName: 'Ada Brook' } });
    expect(await fresh.db.spamToken.findUnique({ where: { token: 'name:ada' } })).toMatchObject({ ham: 1 });
    expect(ada.spamLabel).toBe('ham');
    // The import ran in a process of its own: this one reads the model again once it sees the
    // other's writes (looked for at most once a second), in the background.
    fresh.clock.advance(1001);
    await request(fresh.app).get('/').expect(200);
    let page = '';
    for (let tries = 0; tries < 50 && !page.includes(`from ${spam} spam and ${approved} legitimate`); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      page = (await moderator.get('/admin/settings')).text;
    }
    expect(page).toContain(`It has learned from ${spam} spam and ${approved} legitimate comments`);
  });
});
