import { Prisma } from '../../src/generated/prisma/client';
import { openDatabase, type Database } from '../../src/db/database';
import { createLockedStatements, dateFromJson } from '../../src/db/postgres-locks';
import { createPostgresDatabase, dropPostgresDatabase, withPostgres } from '../helpers/test-database';

// The comment INSERT's way on PostgreSQL (src/db/postgres-locks.ts): statements run after their
// advisory locks, in one round trip, those sent together in one.

let url: string;
let db: Database;
let locked: ReturnType<typeof createLockedStatements>;

beforeAll(async () => {
  url = await createPostgresDatabase();
  ({ db } = await openDatabase({ location: { engine: 'postgres', url }, busyTimeoutMs: 2_000 }));
  await db.$executeRawUnsafe('CREATE TABLE "Note" (id serial PRIMARY KEY, text text UNIQUE NOT NULL, at timestamp(3))');
  locked = createLockedStatements(db);
});
afterAll(async () => {
  await db.$disconnect();
  await dropPostgresDatabase(url);
});

const note = (text: string, at: Date | null = null) =>
  Prisma.sql`INSERT INTO "Note" (text, at) SELECT ${text}, ${at} WHERE NOT EXISTS (SELECT 1 FROM "Note" WHERE text = ${text}) RETURNING text, at`;

it('passes each value with its type and returns the rows', async () => {
  const at = new Date('2026-12-07T04:05:06.789Z');
  const [row] = await locked.run(['typed'], note('typed', at));
  expect(row).toEqual({ text: 'typed', at: '2026-12-07T04:05:06.789' });
  expect(dateFromJson(row!.at as string)).toEqual(at);
  expect(await locked.run(['nothing'], note('nothing'))).toEqual([{ text: 'nothing', at: null }]);
});

it('runs the statements sent together in order, each seeing what the ones before it wrote', async () => {
  const answers = await Promise.all([
    locked.run(['same'], note('same words')),
    locked.run(['same'], note('same words')),
    locked.run(['other'], note('other words')),
  ]);
  expect(answers.map((rows) => rows.length)).toEqual([1, 0, 1]);
});

it('fails only the statement at fault when one sent with others is refused', async () => {
  await locked.run(['taken'], note('taken'));
  const refusedInsert = Prisma.sql`INSERT INTO "Note" (text) VALUES (${'taken'}) RETURNING text`;
  const answers = await Promise.allSettled([
    locked.run(['a'], note('beside one refused, a')),
    locked.run(['taken'], refusedInsert),
    locked.run(['b'], note('beside one refused, b')),
  ]);
  expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((answers[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'P2010' });
  const stored = await db.$queryRaw<
    { text: string }[]
  >`SELECT text FROM "Note" WHERE text LIKE 'beside%' ORDER BY text`;
  expect(stored.map((row) => row.text)).toEqual(['beside one refused, a', 'beside one refused, b']);
});

it('waits for another connection holding one of its locks, and then sees what it committed', async () => {
  await withPostgres(url, async (other) => {
    await other.query('BEGIN');
    await other.query("SELECT pg_advisory_xact_lock(hashtextextended('held', 0))");
    // Taken after the statement's start, with the lock: the statement must see it.
    const waiting = locked.run(['held'], note('written while held'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await other.query(`INSERT INTO "Note" (text) VALUES ('written while held')`);
    await other.query('COMMIT');
    expect(await waiting).toEqual([]);
  });
});

it('passes any text exactly as it was sent, alone or with others', async () => {
  const texts = ['NULL', 'a, b', '{x}', '"quoted"', 'back\\slash', "it's", '  spaced  ', '', 'ünïcode ✓', 'two\nlines'];
  const echo = (text: string) => Prisma.sql`SELECT ${text} AS text, ${null} AS nothing`;
  const together = await Promise.all(texts.map((text) => locked.run([], echo(text))));
  expect(together.map(([row]) => row)).toEqual(texts.map((text) => ({ text, nothing: null })));
  for (const text of texts) expect(await locked.run([], echo(text))).toEqual([{ text, nothing: null }]);
});

/** The prepared statements of the connection the function runs on, as it sees them. */
const preparedHere = (mark: string) =>
  Prisma.sql`SELECT (SELECT count(*)::integer FROM pg_prepared_statements WHERE name LIKE 'marginalia\_%') AS kept,
    (SELECT sum(generic_plans)::integer FROM pg_prepared_statements WHERE statement LIKE ${`%${mark}%`}) AS "genericRuns"`;

it('plans a statement once per connection and runs it again from that plan', async () => {
  const counted = (n: number) => Prisma.sql`SELECT ${n} + 1 AS next /* counted */`;
  for (let n = 0; n < 5; n++) expect(await locked.run([], counted(n))).toEqual([{ next: n + 1 }]);
  const [state] = await locked.run([], preparedHere('counted'));
  // One pool connection runs statements sent one after another: the same plan, five times.
  expect(state).toMatchObject({ genericRuns: 5 });
});

it('keeps no more than 64 statements prepared on a connection', async () => {
  for (let shape = 0; shape < 100; shape++)
    expect(await locked.run([], Prisma.sql`SELECT ${shape} AS shape ${Prisma.raw(`/* shape ${shape} */`)}`)).toEqual([
      { shape },
    ]);
  const [state] = await locked.run([], preparedHere('shape'));
  expect(state!.kept).toBeGreaterThan(0);
  expect(state!.kept).toBeLessThanOrEqual(64);
});
