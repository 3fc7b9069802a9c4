import request from 'supertest';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// GET/PATCH /admin/api/settings: the three groups the admin area edits, under the forms' rules.

const auth = { Authorization: `Bearer ${apiToken}` };
let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({
    ...moderatorEnv,
    WEBHOOK_URL: 'https://hooks.example/in',
    WEBHOOK_SECRET: 'a-webhook-secret-of-length',
  });
});
afterAll(() => ctx.close());

const settings = () => request(ctx.app).get('/admin/api/settings').set(auth);
const change = (body: unknown) =>
  request(ctx.app)
    .patch('/admin/api/settings')
    .set(auth)
    .send(body as object);

it('answers the settings in force, never the webhook’s secret', async () => {
  const res = await settings().expect(200);
  expect(res.body.settings).toEqual({
    moderation: {
      mode: 'hold',
      maxLinks: 2,
      moderationWords: [],
      disallowedWords: [],
      wordMatch: 'substring',
      closeAfterDays: 0,
      spamFilter: true,
      trashTeaches: 'nothing',
    },
    notifications: { moderatorMail: 'held', webhookUrl: 'https://hooks.example/in', webhookSecretSet: true },
    site: {
      title: 'marginalia',
      tagline: expect.any(String),
      displayName: '',
      timeZone: 'UTC',
      commentsPerPage: 50,
      embedOrigins: [],
    },
  });
  expect(res.text).not.toContain('a-webhook-secret-of-length');
});

it('changes any fields of any group, keeps the rest, and the pages follow', async () => {
  const res = await change({
    moderation: { maxLinks: 5, disallowedWords: ['Casino ', 'casino', 'pills'] },
    site: { title: 'Tide tables', timeZone: 'europe/lisbon' },
    notifications: { moderatorMail: 'digest' },
  }).expect(200);
  expect(res.body.settings.moderation).toMatchObject({
    mode: 'hold',
    maxLinks: 5,
    disallowedWords: ['casino', 'pills'],
  });
  expect(res.body.settings.site).toMatchObject({
    title: 'Tide tables',
    timeZone: 'Europe/Lisbon',
    commentsPerPage: 50,
  });
  expect(res.body.settings.notifications).toEqual({
    moderatorMail: 'digest',
    webhookUrl: 'https://hooks.example/in',
    webhookSecretSet: true,
  });
  expect((await settings()).body.settings).toEqual(res.body.settings);
  expect((await request(ctx.app).get('/')).text).toContain('Tide tables');
});

it('refuses a broken rule by its field, saving nothing of the request', async () => {
  const before = (await settings()).body.settings;
  const res = await change({ moderation: { maxLinks: -1 }, site: { title: 'Never saved', timeZone: 'Mars/Olympus' } });
  expect(res.status).toBe(422);
  expect(res.body.error.fields).toEqual({
    'moderation.maxLinks': 'The number of links cannot be negative.',
    'site.timeZone': 'Choose a time zone of the IANA database, such as Europe/Lisbon, America/New_York or UTC.',
  });
  const webhook = await change({
    notifications: { webhookUrl: 'https://elsewhere.example/hook', webhookSecret: null },
  });
  expect(webhook.status).toBe(200);
  const noSecret = await change({ notifications: { webhookUrl: 'ftp://x.example' } });
  expect(noSecret.status).toBe(422);
  expect(noSecret.body.error.fields['notifications.webhookUrl']).toBe(
    'The webhook address must start with http:// or https://.',
  );
  expect((await settings()).body.settings.site).toEqual(before.site);
});

it('refuses a field of the wrong type or one it does not know (400)', async () => {
  for (const body of [{ moderation: { maxLinks: 'five' } }, { site: { colour: 'blue' } }, { theme: {} }, [1]]) {
    const res = await change(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  }
  await request(ctx.app).get('/admin/api/settings').expect(401);
});
