import request from 'supertest';
import { addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The flood check (one comment per COMMENT_FLOOD_SECONDS from a sender) holds when the sender's
// comments arrive at two instances at once: two apps, each with its own connections, on one database.

let one: TestContext;
let other: TestContext;
beforeAll(async () => {
  const env = { COMMENT_FLOOD_SECONDS: '30', TRUST_PROXY: 'loopback' };
  one = await buildTestApp(env);
  other = await buildTestApp({ ...env, DATABASE_URL: one.config.DATABASE_URL });
});
afterAll(async () => {
  await other.close();
  await one.close();
});

it('lets one of two different comments from one network, sent to two instances at once, through', async () => {
  const posts = [await addPost(one.db), await addPost(one.db)];
  // Each INSERT takes a tenth of a second here, so the two always overlap: without the lock that
  // keeps one network's comments apart, both would pass the check, each before the other commits.
  await one.db.$executeRawUnsafe(
    `CREATE FUNCTION slow_comment() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.1); RETURN NEW; END $$`,
  );
  await one.db.$executeRawUnsafe(
    'CREATE TRIGGER "Comment_slow" BEFORE INSERT ON "Comment" FOR EACH ROW EXECUTE FUNCTION slow_comment()',
  );
  for (let round = 0; round < 8; round += 1) {
    const from = `192.0.2.${round + 1}`;
    const send = (ctx: TestContext, n: number) =>
      request(ctx.app)
        .post(`/api/posts/${posts[n]!.slug}/comments`)
        .set('X-Forwarded-For', from)
        .send({ author: 'Quick', email: 'quick@example.com', comment: `Round ${round}, comment ${n}` });
    const answers = await Promise.all([send(one, 0), send(other, 1)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 429]);
  }
  expect(await one.db.comment.count()).toBe(8);
});
