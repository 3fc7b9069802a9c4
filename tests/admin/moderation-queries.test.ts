import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '../../src/generated/prisma/client';
import { createModerationRepository, type CommentFilter } from '../../src/moderation/moderation-repository';
import { addComment, addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';
import { sqliteFileOf } from '../helpers/test-database';

// The moderator's lists, as Prisma runs them (captured from its query log), must read comments
// through an index in the order shown: sorting every comment for a page of twenty grows with the
// whole table (measured on the bench's 100,000 comments: 145 ms before the index, 8 ms after).
// A search finds its comments through the search index, not by reading each one.

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

it('searches through the FTS5 index: counts in it, then reads a page the cheapest way the count allows', async () => {
  const post = await addPost(ctx.db);
  const add = (count: number, text: string, status: string, at: string) =>
    ctx.db.$executeRaw`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
      INSERT INTO "Comment" ("postId", "authorName", "authorEmail", "text", "textHtml", "status", "createdAt", "updatedAt")
      SELECT ${post.id}, 'Reader', 'reader@example.com', ${text}, ${text}, ${status}, ${new Date(at)}, ${new Date(at)} FROM n`;
  // More needles than are read whole, all older than the newest comments a page checks first.
  await add(1100, 'A needle', 'pending', '2020-01-01');
  await add(2100, 'Some hay', 'approved', '2026-06-01');
  await addComment(ctx.db, post.id, { text: 'A lonely word' });
  const plans = (filter: CommentFilter) => plansOf(() => createModerationRepository(logged).list(filter, 0, 20));

  // A few matches: counted in the index alone, then read whole by key and sorted.
  const [countFew, whole] = await plans({ q: 'LONELY' });
  expect(countFew).toMatch(/^SCAN CommentSearch VIRTUAL TABLE [^\n]*$/);
  expect(whole).toMatch(/^SCAN CommentSearch VIRTUAL TABLE .*\nSEARCH c USING INTEGER PRIMARY KEY \(rowid=\?\)/);
  // Many, none among the newest comments: those are checked, then the index is probed in order.
  const [, newest, probed] = await plans({ q: 'needle' });
  expect(newest).toContain('SCAN Comment USING INDEX Comment_createdAt_id_idx');
  expect(probed).toContain('SCAN Comment USING COVERING INDEX Comment_createdAt_id_idx');
  expect(probed).toContain('SCAN CommentSearch VIRTUAL TABLE');
  expect(`${newest}\n${probed}`).not.toContain('TEMP B-TREE');
  // Many, among the newest of their status: the page is theirs.
  const [countOfStatus, newestOfStatus, ...more] = await plans({ q: 'needle', status: 'pending' });
  expect(countOfStatus).toContain('SEARCH Comment USING COVERING INDEX Comment_status_createdAt_idx (status=?)');
  expect(countOfStatus).toContain('SCAN CommentSearch VIRTUAL TABLE');
  expect(newestOfStatus).toContain('SEARCH Comment USING INDEX Comment_status_createdAt_idx (status=?)');
  expect(newestOfStatus).not.toContain('TEMP B-TREE');
  expect(more.join('\n')).not.toContain('CommentSearch');
});
