import Database from 'better-sqlite3';
import request from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { commentIdIn, fieldValue, formBody, formStampOf } from '../helpers/html';
import { holdWriteLock } from '../helpers/lock-holder';
import { apiToken, asModerator, csrfTokenIn, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';
import { sqliteFileOf } from '../helpers/test-database';

// Another connection holding the write lock (prisma/orm#29933 is about what comes after): a
// submission either succeeds once the lock is released, or is refused with 503 and Retry-After
// with nothing stored and nothing typed lost; and every comment the server acknowledged is
// committed (seen by another connection), before and after.

const busyTimeoutMs = 400;
let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, DB_BUSY_TIMEOUT_MS: String(busyTimeoutMs) });
});
afterAll(() => ctx.close());

let sequence = 0;
const submission = () => {
  sequence += 1;
  return {
    comment: `Lock test comment ${sequence}`,
    author: `Locke ${sequence}`,
    email: `locke${sequence}@example.com`,
  };
};
const postForm = (slug: string, fields: Record<string, string>) =>
  request(ctx.app).post(`/posts/${slug}/comments`).type('form').send(formBody(fields));

/** The texts another connection sees committed: proof they are not stuck in an open transaction. */
function committedTexts(): string[] {
  const reader = new Database(sqliteFileOf(ctx.config), { readonly: true });
  try {
    return (
      reader.prepare("SELECT text FROM Comment WHERE text LIKE 'Lock test comment %'").all() as { text: string }[]
    ).map((row) => row.text);
  } finally {
    reader.close();
  }
}

describe('another connection holding the write lock', () => {
  it('a submission waits for a lock held less than the busy timeout, then is stored', async () => {
    const post = await addPost(ctx.db);
    // Held for an eighth of the busy timeout: the submission waits, then goes through.
    const { released } = await holdWriteLock(sqliteFileOf(ctx.config), busyTimeoutMs / 8);
    const fields = submission();
    const res = await postForm(post.slug, fields);
    expect(res.status).toBe(303);
    await released;
    expect(committedTexts()).toContain(fields.comment);
  });

  it('past the busy timeout: 503 with Retry-After, the form shown again with everything typed, nothing stored; the server keeps working', async () => {
    const post = await addPost(ctx.db);
    const before = submission();
    expect((await postForm(post.slug, before)).status).toBe(303);

    const pending = await addComment(ctx.db, post.id, { status: 'pending' });
    // Held until released below, so every write in between waits out the busy timeout however slow the machine.
    const lock = await holdWriteLock(sqliteFileOf(ctx.config), 'until-released');
    const refused = submission();
    const form = await postForm(post.slug, refused);
    expect(form.status).toBe(503);
    expect(form.headers['retry-after']).toBe('5');
    expect(form.text).toContain('The blog’s database is busy for a moment, so nothing was saved.');
    expect(form.text).toContain(`>${refused.comment}</textarea>`);
    expect(fieldValue(form.text, 'author')).toBe(refused.author);
    expect(fieldValue(form.text, 'email')).toBe(refused.email);

    const api = await request(ctx.app).post(`/api/posts/${post.slug}/comments`).send(submission());
    expect(api.status).toBe(503);
    expect(api.headers['retry-after']).toBe('5');
    expect(api.body).toEqual({
      error: { code: 'database_busy', message: expect.stringContaining('busy'), fields: {} },
    });
    // A moderation action is a transaction: the case prisma/orm#29933 is about.
    const bulk = await request(ctx.app)
      .post('/admin/api/comments/bulk')
      .set('Authorization', `Bearer ${apiToken}`)
      .send({ ids: [pending.id], status: 'approved' });
    expect(bulk.status).toBe(503);
    expect(ctx.logLines.join('')).toContain('database busy');
    await lock.release();

    const after = submission();
    expect((await postForm(post.slug, after)).status).toBe(303);
    expect(
      (
        await request(ctx.app)
          .post('/admin/api/comments/bulk')
          .set('Authorization', `Bearer ${apiToken}`)
          .send({ ids: [pending.id], status: 'approved' })
      ).status,
    ).toBe(200);
    const committed = committedTexts();
    expect(committed).toEqual(expect.arrayContaining([before.comment, after.comment]));
    expect(committed).not.toContain(refused.comment);
    const reader = new Database(sqliteFileOf(ctx.config), { readonly: true });
    expect(reader.prepare('SELECT status FROM Comment WHERE id = ?').get(pending.id)).toEqual({ status: 'approved' });
    reader.close();
  });

  it('past the busy timeout, an edit form (the author’s own, the moderator’s) comes back with the new text and why; nothing changed', async () => {
    const post = await addPost(ctx.db);
    const author = request.agent(ctx.app);
    const page = await author.get(`/posts/${post.slug}`);
    const posted = await author
      .post(`/posts/${post.slug}/comments`)
      .type('form')
      .send(formBody({ ...submission(), form_ts: formStampOf(page.text) }));
    const ownId = commentIdIn(posted.headers.location);
    const other = await addComment(ctx.db, post.id, { text: 'Before the moderator’s edit' });
    const moderator = await asModerator(ctx.app);
    const editForm = await moderator.get(`/admin/comments/${other.id}/edit`).expect(200);
    const editFields = {
      _csrf: csrfTokenIn(editForm.text),
      author: other.authorName,
      email: other.authorEmail,
      url: '',
      comment: 'The moderator’s new words',
    };

    const lock = await holdWriteLock(sqliteFileOf(ctx.config), 'until-released');
    try {
      const own = await author
        .post(`/posts/${post.slug}/comments/${ownId}/edit`)
        .type('form')
        .send({ comment: 'The author’s new words' });
      expect(own.status).toBe(503);
      expect(own.headers['retry-after']).toBe('5');
      expect(own.text).toContain('The blog’s database is busy for a moment, so nothing was saved.');
      expect(own.text).toContain('>The author’s new words</textarea>');

      const moderated = await moderator.post(`/admin/comments/${other.id}/edit`).type('form').send(editFields);
      expect(moderated.status).toBe(503);
      expect(moderated.headers['retry-after']).toBe('5');
      expect(moderated.text).toContain('The blog’s database is busy for a moment, so nothing was saved.');
      expect(moderated.text).toContain('>The moderator’s new words</textarea>');
    } finally {
      await lock.release();
    }
    const reader = new Database(sqliteFileOf(ctx.config), { readonly: true });
    expect(reader.prepare('SELECT text FROM Comment WHERE id = ?').get(other.id)).toEqual({
      text: 'Before the moderator’s edit',
    });
    expect((reader.prepare('SELECT text FROM Comment WHERE id = ?').get(ownId) as { text: string }).text).toMatch(
      /^Lock test comment /,
    );
    reader.close();
  });
});

describe('waiting for another process’s lock', () => {
  it('a moderator’s bulk action (one transaction) waits for a lock let go within the busy timeout, then applies', async () => {
    const post = await addPost(ctx.db);
    const pending = await addComment(ctx.db, post.id, { status: 'pending' });
    const { released } = await holdWriteLock(sqliteFileOf(ctx.config), busyTimeoutMs / 8);
    const bulk = await request(ctx.app)
      .post('/admin/api/comments/bulk')
      .set('Authorization', `Bearer ${apiToken}`)
      .send({ ids: [pending.id], status: 'approved' });
    expect(bulk.status).toBe(200);
    await released;
    const reader = new Database(sqliteFileOf(ctx.config), { readonly: true });
    expect(reader.prepare('SELECT status FROM Comment WHERE id = ?').get(pending.id)).toEqual({ status: 'approved' });
    reader.close();
  });

  describe('with a long busy timeout', () => {
    let patient: TestContext;
    beforeAll(async () => {
      patient = await buildTestApp({ ...moderatorEnv, DB_BUSY_TIMEOUT_MS: '5000' });
    });
    afterAll(() => patient.close());

    const bulkApprove = (id: number) =>
      request(patient.app)
        .post('/admin/api/comments/bulk')
        .set('Authorization', `Bearer ${apiToken}`)
        .send({ ids: [id], status: 'approved' });

    /**
     * Sends a write while another process holds the lock, checks the server answers readers in the
     * meantime (SQLite's own busy wait would hold this process, test included, until the timeout:
     * the write would be answered first), then lets go and gives back the write's answer.
     */
    async function whileLockedOut(write: () => request.Test, readerPaths: string[]): Promise<request.Response> {
      const lock = await holdWriteLock(sqliteFileOf(patient.config), 'until-released');
      let answered = false;
      const waiting = write().then((res) => {
        answered = true;
        return res;
      });
      try {
        for (const path of readerPaths) expect((await request(patient.app).get(path)).status).toBe(200);
        expect(answered).toBe(false);
      } finally {
        await lock.release();
      }
      return waiting;
    }

    it('a waiting submission does not stop the server: readers are answered meanwhile, and it is stored once the lock is let go', async () => {
      const post = await addPost(patient.db);
      // A transaction first: what it leaves behind must not make the next wait block.
      const pending = await addComment(patient.db, post.id, { status: 'pending' });
      expect((await bulkApprove(pending.id)).status).toBe(200);

      const fields = submission();
      const res = await whileLockedOut(
        () => request(patient.app).post(`/posts/${post.slug}/comments`).type('form').send(formBody(fields)),
        [`/posts/${post.slug}`, '/'],
      );
      expect(res.status).toBe(303);
      const reader = new Database(sqliteFileOf(patient.config), { readonly: true });
      expect(reader.prepare('SELECT COUNT(*) AS n FROM Comment WHERE text = ?').get(fields.comment)).toEqual({ n: 1 });
      reader.close();
    });

    it('a bulk action waits for a lock held longer than Prisma’s own two seconds for starting a transaction', async () => {
      const post = await addPost(patient.db);
      const pending = await addComment(patient.db, post.id, { status: 'pending' });
      const { released } = await holdWriteLock(sqliteFileOf(patient.config), 2_500);
      expect((await bulkApprove(pending.id)).status).toBe(200);
      await released;
      expect(await patient.db.comment.findUnique({ where: { id: pending.id }, select: { status: true } })).toEqual({
        status: 'approved',
      });
    });

    it('a waiting bulk action (one transaction) does not stop the server either, and applies once the lock is let go', async () => {
      const post = await addPost(patient.db);
      const pending = await addComment(patient.db, post.id, { status: 'pending' });
      expect((await whileLockedOut(() => bulkApprove(pending.id), [`/posts/${post.slug}`, '/'])).status).toBe(200);
      expect(await patient.db.comment.findUnique({ where: { id: pending.id }, select: { status: true } })).toEqual({
        status: 'approved',
      });
    });
  });
});
