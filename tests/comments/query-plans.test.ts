import { Prisma } from '../../src/generated/prisma/client';
import { commentQueries } from '../../src/comments/comments-sql';
import { sqliteDialect } from '../../src/db/sql-dialect';

const commentSql = commentQueries(sqliteDialect);
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The queries run on every page render and every submission, as the repository runs them, must
// each find their rows through an index: a scan would grow with every comment ever stored.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(() => ctx.close());

async function planOf(query: Prisma.Sql): Promise<string> {
  const plan = await ctx.db.$queryRaw<{ detail: string }[]>(Prisma.sql`EXPLAIN QUERY PLAN ${query}`);
  return plan.map((row) => row.detail).join('\n');
}

it('finds a post’s approved comments through the index, without sorting', async () => {
  const plan = await planOf(commentSql.approvedOfPost(1));
  expect(plan).toContain('SEARCH Comment USING INDEX Comment_postId_status_createdAt_id_idx (postId=? AND status=?)');
  expect(plan).not.toContain('TEMP B-TREE');
});

it('looks for a duplicate by the post and the text’s length and beginning, then among the sender’s own comments', async () => {
  for (const sender of [
    { network: '203.0.113.9', ownIds: [] },
    { network: '203.0.113.9', ownIds: [3, 4] },
  ]) {
    const plan = await planOf(commentSql.duplicateOf(1, 'the same words', sender));
    expect(plan).toMatch(/SEARCH Comment USING INDEX Comment_duplicates_idx \(postId=\? AND <expr>=\? AND <expr>=\?\)/);
    expect(plan).not.toMatch(/\bSCAN\b/);
  }
});

it('finds a sender’s latest comment by their network and their browser’s comments, through indexes', async () => {
  const since = new Date();
  const both = await planOf(commentSql.latestFrom({ network: '203.0.113.9', ownIds: [3, 4] }, since));
  expect(both).toContain('Comment_clientNetwork_createdAt_idx (clientNetwork=? AND createdAt>?)');
  expect(both).toContain('USING INTEGER PRIMARY KEY (rowid=?)');
  expect(both).not.toMatch(/\bSCAN Comment\b/);
  const networkOnly = await planOf(commentSql.latestFrom({ network: '203.0.113.9', ownIds: [] }, since));
  expect(networkOnly).toContain('Comment_clientNetwork_createdAt_idx (clientNetwork=? AND createdAt>?)');
});

it('checks the "known author" rule among that email’s comments', async () => {
  const plan = await planOf(
    commentSql.approvedFrom('reader@example.com', 'Reader', { network: '203.0.113.9', ownIds: [3] }),
  );
  expect(plan).toContain('Comment_authorEmail_createdAt_idx (authorEmail=?)');
  expect(plan).not.toMatch(/\bSCAN\b/);
});

it('checks a new comment for a duplicate and a flood, and places it, through indexes and the post’s counts, inside its INSERT', async () => {
  const comment = {
    postId: 1,
    parentId: null,
    authorName: 'Reader',
    authorEmail: 'reader@example.com',
    authorUrl: null,
    text: 'the same words',
    textHtml: '<p>the same words</p>',
    status: 'pending' as const,
    statusNote: 'held',
    ipAddress: '203.0.113.9',
    clientNetwork: '203.0.113.9',
    userAgent: null,
    wantsReplies: false,
    spamScore: null,
    spamReasons: null,
  };
  for (const ownIds of [[], [3, 4]]) {
    const checks = { sender: { network: '203.0.113.9', ownIds }, floodSince: new Date() };
    const plan = await planOf(
      commentSql.insertUnlessRepeated(comment, new Date(), checks, { postId: 1, ownIds, threaded: true }),
    );
    expect(plan).toContain('Comment_duplicates_idx');
    expect(plan).toContain('Comment_clientNetwork_createdAt_idx (clientNetwork=? AND createdAt>?)');
    // Placed from the post's row, and the approved comments dated at or after it: a range of the index.
    expect(plan).toContain('SEARCH post USING INTEGER PRIMARY KEY (rowid=?)');
    expect(plan).toMatch(/Comment_postId_status_createdAt_id_idx \(postId=\? AND status=\? AND createdAt>\?\)/);
    expect(plan).not.toMatch(/Comment_postId_status_createdAt_id_idx \(postId=\? AND status=\?\)/);
    if (ownIds.length > 0) {
      // The author's own comments awaiting moderation, and the replies to them, by key.
      expect(plan).toContain('SEARCH c USING INTEGER PRIMARY KEY (rowid=?)');
      expect(plan).toContain('SEARCH d USING INDEX Comment_parentId_idx (parentId=?)');
    }
    // The one row being inserted is the only thing "scanned".
    expect(plan).not.toMatch(/\bSCAN (?!CONSTANT ROW)/);
  }
});

it('places a comment by walking up its ancestors by key and counting the threads before it through indexes', async () => {
  for (const ownIds of [[], [3, 4]]) {
    const plan = await planOf(commentSql.threadsBefore({ postId: 1, ownIds, threaded: true }, 2));
    expect(plan).toContain('SEARCH x USING INTEGER PRIMARY KEY (rowid=?)');
    expect(plan).toContain('SEARCH p USING INTEGER PRIMARY KEY (rowid=?)');
    expect(plan).toMatch(/SEARCH c USING INDEX Comment_postId_status_createdAt_id_idx \(postId=\? AND status=\?/);
    if (ownIds.length > 0) expect(plan).toContain('SEARCH c USING INTEGER PRIMARY KEY (rowid=?)');
    // Only the ancestor chain and its one head row are scanned.
    expect(plan.match(/\bSCAN (?!(chain|head)\b)\S+/g) ?? []).toEqual([]);
  }
});

it('reads a long post’s page of threads and its counts through indexes, with no scan of the table', async () => {
  for (const ownIds of [[], [3, 4]]) {
    const view = { postId: 1, ownIds, threaded: true };
    const page = await planOf(commentSql.threadsOfView(view, 50, 50));
    expect(page).toMatch(/SEARCH c USING INDEX Comment_postId_status_createdAt_id_idx \(postId=\? AND status=\?/);
    expect(page).toContain('SEARCH p USING INTEGER PRIMARY KEY (rowid=?)');
    // The replies of each thread, by their parent.
    expect(page).toContain('SEARCH r USING INDEX Comment_parentId_idx (parentId=?)');
    expect(page).toContain('SEARCH Comment USING INTEGER PRIMARY KEY (rowid=?)');
    if (ownIds.length > 0) expect(page).toContain('SEARCH c USING INTEGER PRIMARY KEY (rowid=?)');
    // The counts come from the post's row and, for the viewer's own comments, lookups by key.
    const counts = await planOf(commentSql.threadCounts(view));
    expect(counts).toContain('SEARCH post USING INTEGER PRIMARY KEY (rowid=?)');
    expect(counts).not.toContain('Comment_postId_status_createdAt_id_idx');
    // Only the page's own rows (its heads, and the thread members found by key) are scanned.
    expect(
      [...page.matchAll(/\bSCAN (\S+)/g)]
        .map((match) => match[1] ?? '')
        .filter((name) => !['head', 'member'].includes(name)),
    ).toEqual([]);
    expect(counts).not.toMatch(/\bSCAN (?!CONSTANT ROW)(?!\(subquery)/);
  }
});
