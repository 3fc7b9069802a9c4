import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../../src/generated/prisma/client';
import { createModerationRepository, type CommentFilter } from '../../src/moderation/moderation-repository';
import { buildTestApp, type TestContext } from '../helpers/test-app';
import { sqliteFileOf } from '../helpers/test-database';

// The moderator's lists, as Prisma runs them (captured from its query log), must read comments
// through an index in the order shown: sorting every comment for a page of twenty grows with the
// whole table (measured on the bench's 100,000 comments: 145 ms before the index, 8 ms after).

const queries: { sql: string; params: unknown[] }[] = [];

/** A second client on the test database that reports every statement it sends. */
function loggingClient(databaseFile: string) {
  const client = new PrismaClient({
    adapter: new PrismaBetterSqlite3({ url: databaseFile }),
    log: [{ emit: 'event', level: 'query' }],
  });
  client.$on('query', (event) => queries.push({ sql: event.query, params: JSON.parse(event.params) as unknown[] }));
  return client;
}

let ctx: TestContext;
let logged: ReturnType<typeof loggingClient>;
beforeAll(async () => {
  ctx = await buildTestApp();
  logged = loggingClient(sqliteFileOf(ctx.config));
});
afterAll(async () => {
  await logged.$disconnect();
  await ctx.close();
});

/** The query plan of each statement one call of `run` sent to SQLite. */
async function plansOf(run: () => Promise<unknown>): Promise<string[]> {
  queries.length = 0;
  await run();
  const plans = [];
  for (const { sql, params } of queries) {
    const rows = await ctx.db.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql}`, ...params);
    plans.push(rows.map((row) => row.detail).join('\n'));
  }
  return plans;
}

/** The plans of the statements behind one page of the moderator's list, joined. */
const listPlans = async (filter: CommentFilter) =>
  (await plansOf(() => createModerationRepository(logged).list(filter, 0, 20))).join('\n---\n');

it('lists every comment, newest first, in the order of an index', async () => {
  const plans = await listPlans({});
  expect(plans).toContain('SCAN main.Comment USING INDEX Comment_createdAt_id_idx');
  expect(plans).not.toContain('TEMP B-TREE FOR ORDER BY');
});

it('lists one status, newest first, in the order of its index', async () => {
  const plans = await listPlans({ status: 'pending' });
  expect(plans).toContain('SEARCH main.Comment USING INDEX Comment_status_createdAt_idx (status=?)');
  expect(plans).not.toContain('TEMP B-TREE FOR ORDER BY');
});
