import { createModerationRepository } from '../../src/moderation/moderation-repository';
import { createModerationService } from '../../src/moderation/moderation-service';
import { systemClock } from '../../src/shared/clock';
import { createSpamFilter, type SpamFilterSettings } from '../../src/spam-filter/spam-filter-service';
import { createSpamModelRepository } from '../../src/spam-filter/spam-model-repository';
import { addComment, addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The spam filter's model in the database, as more than one process keeps it: decisions made at
// once by two of them are each learned once, and its bound holds whether or not a process keeps
// the model in memory. Each "process" here is a moderation service with a filter of its own over
// the same database, as two servers on one PostgreSQL database are.

let ctx: TestContext;
let postId: number;
const settings = (): Promise<SpamFilterSettings> => Promise.resolve({ spamFilter: true, trashTeaches: 'nothing' });

beforeAll(async () => {
  ctx = await buildTestApp();
  postId = (await addPost(ctx.db)).id;
});
afterAll(() => ctx.close());

function process(maxTokens?: number) {
  const spamFilter = createSpamFilter({ repo: createSpamModelRepository(ctx.db), settings, maxTokens });
  return {
    spamFilter,
    moderation: createModerationService({ repo: createModerationRepository(ctx.db), clock: systemClock, spamFilter }),
  };
}

const model = () => ctx.db.spamModel.findUnique({ where: { id: 1 } });

async function reset() {
  await ctx.db.comment.deleteMany();
  await ctx.db.spamToken.deleteMany();
  await ctx.db.spamModel.deleteMany();
}

it('learns once from a decision two processes make at the same moment, and records it once', async () => {
  await reset();
  const ids: number[] = [];
  for (let i = 0; i < 10; i += 1)
    ids.push((await addComment(ctx.db, postId, { status: 'pending', text: `Narwhal offer ${i}` })).id);
  const [one, two, three] = [process(), process(), process()];
  const changed = await Promise.all([
    one.moderation.setStatus(ids, 'spam', 'api'),
    two.moderation.setStatus(ids, 'spam', 'api'),
    three.moderation.setStatus(ids, 'approved', 'api'),
  ]);
  // Whatever order they ran in, each comment's history holds each move once, and the model
  // holds exactly what the comments' labels say.
  expect(changed.reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(20);
  const comments = await ctx.db.comment.findMany({ where: { id: { in: ids } }, include: { statusChanges: true } });
  for (const comment of comments) {
    const moves = comment.statusChanges.map((change) => `${change.fromStatus}>${change.toStatus}`);
    expect(new Set(moves).size).toBe(moves.length);
    expect(comment.spamLabel).toBe(comment.status === 'spam' ? 'spam' : 'ham');
  }
  const spam = comments.filter((comment) => comment.spamLabel === 'spam').length;
  expect(await model()).toMatchObject({ spamComments: spam, hamComments: 10 - spam });
  expect(await ctx.db.spamToken.findUnique({ where: { token: 'narwhal' } })).toMatchObject({ spam, ham: 10 - spam });
});

it('keeps its bound in the database when no process keeps the model in memory, dropping only as many rare tokens as it must', async () => {
  await reset();
  const common = Array.from({ length: 30 }, (_, i) => `common${String.fromCharCode(97 + (i % 26))}${i}`).join(' ');
  const usual: number[] = [];
  for (let i = 0; i < 10; i += 1)
    usual.push((await addComment(ctx.db, postId, { status: 'pending', text: common })).id);
  const flood = Array.from({ length: 400 }, (_, i) => `flood${i.toString(36)}x`).join(' ');
  const flooded = (await addComment(ctx.db, postId, { status: 'pending', text: flood })).id;
  // Never scored: this process has not read the model into memory.
  const { moderation, spamFilter } = process(200);
  await moderation.setStatus(usual, 'approved', 'api');
  await moderation.setStatus([flooded], 'spam', 'api');
  // The bound is kept after the lesson is written, in the background.
  for (let tries = 0; tries < 100 && (await ctx.db.spamToken.count()) > 200; tries += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(await ctx.db.spamToken.count()).toBe(200);
  // Every token of the ten usual comments stayed; only the flood's one-off tokens went.
  for (const word of common.split(' '))
    expect(await ctx.db.spamToken.findUnique({ where: { token: word } })).not.toBeNull();
  expect((await spamFilter.state()).tokens).toBe(200);
  // Full, it still learns: a new comment's words stay (though they sort first), and the flood's
  // older one-offs make room.
  const fresh = (await addComment(ctx.db, postId, { status: 'pending', text: 'Aardvark abacus acorn' })).id;
  await moderation.setStatus([fresh], 'approved', 'api');
  for (let tries = 0; tries < 100 && (await ctx.db.spamToken.count()) > 200; tries += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(await ctx.db.spamToken.count()).toBe(200);
  for (const word of ['aardvark', 'abacus', 'acorn'])
    expect(await ctx.db.spamToken.findUnique({ where: { token: word } })).toMatchObject({ ham: 1 });
});
