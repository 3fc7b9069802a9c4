import request from 'supertest';
import { Prisma } from '../../src/generated/prisma/client';
import { addComment, addPost } from '../helpers/factories';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The moderator's search (GET /admin/api/comments?q=): through SQLite's FTS5 trigram table or
// PostgreSQL's pg_trgm index for three characters or more, by reading every comment for fewer.
// Either way it must find exactly the comments whose name, email, website or text holds what was
// typed, as typed (% and _ included), ASCII case aside: each answer is held to that rule, worked
// out here from every comment in the database.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp(moderatorEnv);
});
afterAll(() => ctx.close());

interface Filter {
  status?: string;
  post?: number;
  page?: number;
}

/** The API's answer: the ids of one page, newest first, and how many match in all. */
async function search(q: string, filter: Filter = {}) {
  const res = await request(ctx.app)
    .get('/admin/api/comments')
    .query({ q, ...filter })
    .set('Authorization', `Bearer ${apiToken}`)
    .expect(200);
  const body = res.body as { comments: { id: number }[]; total: number };
  return { ids: body.comments.map((comment) => comment.id), total: body.total };
}

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/** What the search must answer, worked out from every comment stored. */
async function expected(q: string, { status, post, page = 1 }: Filter = {}) {
  const all = await ctx.db.comment.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  const wanted = asciiLower(q);
  const matching = all.filter(
    (comment) =>
      (!status || comment.status === status) &&
      (!post || comment.postId === post) &&
      [comment.authorName, comment.authorEmail, comment.authorUrl, comment.text].some(
        (field) => field !== null && asciiLower(field).includes(wanted),
      ),
  );
  return { ids: matching.slice((page - 1) * 20, page * 20).map((comment) => comment.id), total: matching.length };
}

let minute = 0;
/** A comment dated a minute after the one before, so newest first is one order on every engine. */
const comment = (postId: number, fields: Parameters<typeof addComment>[2]) =>
  addComment(ctx.db, postId, { createdAt: new Date(Date.UTC(2026, 5, 1) + ++minute * 60_000), ...fields });

describe('GET /admin/api/comments?q=', () => {
  it('finds what was typed in the name, email, website or text, as typed, for any length of search', async () => {
    const post = await addPost(ctx.db);
    const corpus = [
      ['Ada Lovelace', 'ada@analytical.example', 'https://engines.example/notes', 'Notes on the engine: 50% done.'],
      ['Bob_Smith', 'bob.smith@example.org', null, 'snake_case and camelCase'],
      ['Chloé Dubois', 'chloe@ecole.example', 'https://école.example/', 'À bientôt, "quoted" words'],
      ['東京 Taro', 'taro@example.jp', null, '東京都に住んでいます 😀😀'],
      ['Zed', 'z@z.example', 'https://zed.example/a_b', 'AND OR NOT NEAR(x y) col:val ^start *star'],
      ['Quinn', 'quinn@example.com', null, 'Back\\slash in C:\\temp and a "double" quote'],
      ['Al', 'al@x.example', null, 'ox'],
      ['Percy', 'percy@example.com', 'https://percent.example/100%25', 'A discount of 50 percent'],
    ] as const;
    // Dated out of the order they are stored in, as imported comments are.
    for (const [at, [authorName, authorEmail, authorUrl, text]] of corpus.entries()) {
      const createdAt = new Date(Date.UTC(2026, 3, 1) + ((at * 3) % corpus.length) * 60_000);
      await addComment(ctx.db, post.id, { authorName, authorEmail, authorUrl, text, createdAt });
    }
    const found = [
      ...['a', 'A', '%', '_', '"', '\\', 'x', 'ox', 'OX', 'Al', 'aL', '東京', '😀', '😀😀', '50%', '_c', 'é'],
      ...['snake_case', 'SNAKE_', 'CAMELCASE', 'ecole', 'école', '"quoted"', 'a "dou', 'NEAR(x', 'col:val', '^start'],
      ...['*star', 'AND OR', 'engines.example', '.EXAMPLE/', 'ada@analytical.example', 'C:\\temp', '東京都', '100%25'],
    ];
    for (const q of found) {
      const answer = await search(q);
      expect({ q, answer }).toEqual({ q, answer: await expected(q) });
      expect({ q, found: answer.total > 0 }).toEqual({ q, found: true });
    }
    // Nothing found across two fields, nor a wildcard's match.
    // Longer than what the index is asked for (16 characters): the rest is checked too.
    expect(await search('Notes on the engine: 50% done.')).toEqual(await expected('Notes on the engine: 50% done.'));
    expect((await search('Notes on the engine: 50% done.')).total).toBe(1);
    // Typed with combining accents, found as stored (NFC).
    expect((await search('A\u0300 bient')).total).toBe(1);
    for (const q of [
      'Lovelace ada',
      'Lovelaceada@',
      'Bob%Smith',
      'snake%case',
      'a_b_c',
      'zz',
      'Notes on the engine: 60%',
    ]) {
      expect({ q, answer: await search(q) }).toEqual({ q, answer: { ids: [], total: 0 } });
    }
    // The website is searched (new), each field on its own.
    const byField = async (q: string) => (await search(q, { post: post.id })).total;
    expect(await byField('percent.example')).toBe(1);
    expect(await byField('zed.example/a_b')).toBe(1);
    expect(await byField('d.example/a_b')).toBe(1);
  });

  it('refuses a search it cannot run with 400 rather than answering every comment', async () => {
    for (const query of [{ q: 'y'.repeat(201) }, { q: ['tram', 'pencil'] }]) {
      const res = await request(ctx.app)
        .get('/admin/api/comments')
        .query(query)
        .set('Authorization', `Bearer ${apiToken}`)
        .expect(400);
      expect(res.body.error.code).toBe('invalid_search');
      expect(res.body.error.fields.q).toEqual(expect.any(String));
      expect(res.body.comments).toBeUndefined();
    }
    expect(await search('y'.repeat(200))).toEqual({ ids: [], total: 0 });
  });

  it('finds an edited comment by what it says now, not by what it said', async () => {
    const post = await addPost(ctx.db);
    const edited = await comment(post.id, { text: 'A remark about aubergines.', authorName: 'Wilhelmina' });
    const res = await request(ctx.app)
      .patch(`/admin/api/comments/${edited.id}`)
      .set('Authorization', `Bearer ${apiToken}`)
      .send({ comment: 'A remark about courgettes.', author: 'Hortensia', url: 'https://kohlrabi.example/' })
      .expect(200);
    expect(res.body.comment.text).toBe('A remark about courgettes.');
    for (const [q, ids] of [
      ['aubergines', []],
      ['Wilhelmina', []],
      ['courgettes', [edited.id]],
      ['hortensia', [edited.id]],
      ['kohlrabi', [edited.id]],
    ] as const) {
      expect({ q, answer: await search(q) }).toEqual({ q, answer: { ids, total: ids.length } });
    }
    // A change of status alone leaves it found.
    await request(ctx.app)
      .patch(`/admin/api/comments/${edited.id}`)
      .set('Authorization', `Bearer ${apiToken}`)
      .send({ status: 'spam' })
      .expect(200);
    expect(await search('courgettes', { status: 'spam' })).toEqual({ ids: [edited.id], total: 1 });
  });

  it('no longer finds a deleted comment, nor the comments of a deleted post', async () => {
    const post = await addPost(ctx.db);
    const deleted = await comment(post.id, { text: 'Parsnips, deleted soon.', status: 'trash' });
    const kept = await comment(post.id, { text: 'Parsnips, kept.' });
    expect((await search('parsnips')).ids).toEqual([kept.id, deleted.id]);
    await request(ctx.app)
      .delete(`/admin/api/comments/${deleted.id}`)
      .set('Authorization', `Bearer ${apiToken}`)
      .expect(204);
    expect(await search('parsnips')).toEqual({ ids: [kept.id], total: 1 });

    const gone = await addPost(ctx.db);
    await comment(gone.id, { text: 'Salsify under a post that goes.' });
    expect((await search('salsify')).total).toBe(1);
    await request(ctx.app).delete(`/admin/api/posts/${gone.id}`).set('Authorization', `Bearer ${apiToken}`).expect(200);
    expect(await search('salsify')).toEqual({ ids: [], total: 0 });
  });

  it('combines the search with the status and post filters, newest first, page by page', async () => {
    const first = await addPost(ctx.db);
    const second = await addPost(ctx.db);
    for (let i = 0; i < 22; i += 1) await comment(first.id, { text: `Quokka sighting ${i}` });
    for (let i = 0; i < 3; i += 1) await comment(first.id, { text: `Held quokka ${i}`, status: 'pending' });
    await comment(second.id, { authorName: 'Quokka Fan', text: 'Hello' });
    await comment(second.id, { text: 'A wallaby, not the other one', status: 'pending' });
    const filters: [string, Filter, number][] = [
      ['quokka', {}, 26],
      ['quokka', { page: 2 }, 26],
      ['QUOKKA', { status: 'pending' }, 3],
      ['quokka', { status: 'approved', post: first.id }, 22],
      ['quokka', { status: 'approved', post: first.id, page: 2 }, 22],
      ['quokka', { post: second.id }, 1],
      ['quokka', { status: 'spam' }, 0],
      ['ok', { post: first.id }, 25],
      ['ok', { post: first.id, status: 'pending', page: 1 }, 3],
      ['wa', { post: second.id, status: 'pending' }, 1],
    ];
    for (const [q, filter, total] of filters) {
      const answer = await search(q, filter);
      expect({ q, filter, answer }).toEqual({ q, filter, answer: await expected(q, filter) });
      expect({ q, filter, total: answer.total }).toEqual({ q, filter, total });
    }
    expect((await search('quokka', { page: 2 })).ids).toHaveLength(6);
  });

  it('finds the same page whichever way it is read: many matches or few, among the newest comments or not', async () => {
    const post = await addPost(ctx.db);
    const add = (count: number, text: string, statusOf: Prisma.Sql, at: Date) =>
      ctx.db.$executeRaw`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
        INSERT INTO "Comment" ("postId", "authorName", "authorEmail", "text", "textHtml", "status", "createdAt", "updatedAt")
        SELECT ${post.id}, 'Reader', 'reader@example.com', ${text}, ${text}, ${statusOf}, ${at}, ${at} FROM n`;
    // More wombats than a search reads whole, older than the two thousand newest comments (and
    // the older half stored last).
    const statusOf = Prisma.sql`CASE WHEN i % 4 = 0 THEN 'pending' ELSE 'approved' END`;
    await add(600, 'An old wombat', statusOf, new Date(2020, 1));
    await add(500, 'An older wombat', statusOf, new Date(2020, 0));
    await add(2100, 'Some hay', Prisma.sql`'approved'`, new Date(2027, 0));
    // Two letters are read a range of 5,000 ids at a time: their matches in more than one.
    await add(200, 'A qz of 2019', statusOf, new Date(2019, 0));
    await add(3000, 'Some straw', Prisma.sql`'approved'`, new Date(2018, 0));
    await add(200, 'A qz of 2021', statusOf, new Date(2021, 0));
    await comment(post.id, { text: 'The newest wombat' });
    const filters: [string, Filter, number][] = [
      ['wombat', {}, 1101],
      ['WOMBAT', { page: 2 }, 1101],
      ['wombat', { status: 'pending', page: 3 }, 275],
      ['wombat', { page: 31 }, 1101],
      ['wombat', { status: 'approved' }, 826],
      ['wombat', { post: post.id, page: 2 }, 1101],
      ['hay', {}, 2100],
      ['hay', { page: 4 }, 2100],
      ['mb', { status: 'approved', page: 2 }, 826],
      ['mb', { page: 3 }, 1101],
      ['qz', {}, 400],
      ['QZ', { page: 11 }, 400],
      ['qz', { status: 'pending', page: 2 }, 100],
      ['qz', { post: post.id, page: 20 }, 400],
      ['aw', { page: 150 }, 3000],
      ['zq', {}, 0],
    ];
    for (const [q, filter, total] of filters) {
      const answer = await search(q, filter);
      expect({ q, filter, answer }).toEqual({ q, filter, answer: await expected(q, filter) });
      expect({ q, filter, total: answer.total }).toEqual({ q, filter, total });
    }
  });
});
