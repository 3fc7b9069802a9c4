import { postgresDialect } from '../../src/db/sql-dialect';
import { applyPostgresMigrations } from '../../src/db/postgres-migrations';
import type { Prisma } from '../../src/generated/prisma/client';
import { createPostgresDatabase, dropPostgresDatabase, withPostgres } from '../helpers/test-database';

// The moderator's search on PostgreSQL must be able to read pg_trgm's index (migration
// comment_search) for the condition the dialect writes, escaped wildcards and all. Sequential scans
// are turned off so the plan shows whether the index can serve it: on a table this small the
// planner would rightly read the table instead.

let url: string;
beforeAll(async () => {
  url = await createPostgresDatabase();
  await applyPostgresMigrations(url);
});
afterAll(() => dropPostgresDatabase(url));

async function planOf(query: Prisma.Sql): Promise<string> {
  return withPostgres(url, async (client) => {
    await client.query('SET enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.text}`, query.values);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

it('finds a search of three characters or more through the trigram index, in every searched column', async () => {
  for (const text of ['needle', '50%_off', 'say "hi"']) {
    const plan = await planOf(postgresDialect.commentSearch(text).found);
    expect(plan.match(/Bitmap Index Scan on "Comment_search_idx"/g)).toHaveLength(4);
    expect(plan).not.toContain('Seq Scan');
  }
});
