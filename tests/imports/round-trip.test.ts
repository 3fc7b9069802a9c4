import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createExportsRepository } from '../../src/exports/exports-repository';
import { ExportTargetError, writeJsonExport, writeWxrExport } from '../../src/exports/export-writers';
import { importDisqus } from '../../src/imports/disqus-import';
import { importWordPress } from '../../src/imports/wordpress-import';
import { importJson } from '../../src/imports/json-import';
import { contentOf } from '../helpers/blog-content';
import { addComment } from '../helpers/factories';
import { importFixture } from '../helpers/import-fixtures';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { sendFirstComment } from '../helpers/embeds';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let dir: string;
let source: TestContext;
let target: TestContext;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-export-'));
  source = await buildTestApp({ ...moderatorEnv, MODERATION_MODE: 'approve' });
  target = await buildTestApp();
  await importWordPress(source.db, importFixture('wxr-1.2.xml'));
  await importDisqus(source.db, importFixture('disqus.xml'));
  // Made here, not imported: a comment with a user agent, and a moderation change in its history.
  const posted = await request(source.app)
    .post('/api/posts/frost-on-the-reeds/comments')
    .set('User-Agent', 'RoundTrip/1.0')
    .send({
      comment: 'Written here, with <b>angle brackets</b>, &amp; typed as such, & ampersands.',
      author: 'Local Lou',
      email: 'lou@example.com',
      url: 'https://lou.example',
    })
    .expect(201);
  await request(source.app)
    .post('/admin/api/comments/bulk')
    .set('Authorization', `Bearer ${apiToken}`)
    .send({ ids: [posted.body.comment.id], status: 'spam' })
    .expect(200);
});
afterEach(async () => {
  await source.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

it('JSON: export → import into a fresh database → the same posts and comments (ids aside); again: nothing new', async () => {
  // A moderator's marks: an answered comment erased by its author (a placeholder), its reply pinned and locked.
  const post = await source.db.post.findUniqueOrThrow({ where: { slug: 'frost-on-the-reeds' } });
  const erased = await addComment(source.db, post.id, { authorEmail: 'gone@example.com', text: 'Soon erased' });
  const kept = await addComment(source.db, post.id, { parentId: erased.id, text: 'The answer stays' });
  await source.db.comment.updateMany({ where: { id: { in: [erased.id, kept.id] } }, data: { arrivalNote: 'added' } });
  const admin = { Authorization: `Bearer ${apiToken}` };
  await request(source.app)
    .patch(`/admin/api/comments/${kept.id}`)
    .set(admin)
    .send({ pinned: true, repliesLocked: true })
    .expect(200);
  await request(source.app)
    .post('/admin/api/commenters/erase')
    .set(admin)
    .send({ email: 'gone@example.com', mode: 'delete' })
    .expect(200);

  const file = path.join(dir, 'blog.jsonl');
  const exported = await writeJsonExport(createExportsRepository(source.db), file);
  expect(exported).toEqual({ posts: 4, comments: 15 });
  const report = await importJson(target.db, file);
  expect(report).toMatchObject({
    format: 'json',
    posts: { created: 4 },
    comments: { created: { approved: 9, pending: 1, spam: 3, trash: 2 } },
    reattachedReplies: 0,
    orphans: [],
  });

  const before = await contentOf(source.db, { withSourceIds: false });
  expect(await contentOf(target.db, { withSourceIds: false })).toEqual(before);
  // Lou's comment, made on the source blog, keeps its user agent and its history.
  const lou = (await contentOf(target.db))
    .flatMap((post) => post.comments)
    .find((comment) => comment.authorName === 'Local Lou');
  expect(lou).toMatchObject({
    userAgent: 'RoundTrip/1.0',
    status: 'spam',
    statusChanges: [expect.objectContaining({ fromStatus: 'approved', toStatus: 'spam', actor: 'api' })],
  });
  expect(lou?.sourceId).toMatch(/^marginalia:[\w-]+#comment-\d+$/);
  const comments = (await contentOf(target.db)).flatMap((entry) => entry.comments);
  expect(comments.find((comment) => comment.erased)).toMatchObject({
    text: '',
    authorEmail: '',
    authorName: 'Anonymous',
  });
  expect(comments.find((comment) => comment.text === 'The answer stays')).toMatchObject({
    repliesLocked: true,
    pinnedAt: expect.any(Date),
    parent: expect.stringContaining(' '),
  });

  const again = await importJson(target.db, file);
  expect(again).toMatchObject({
    posts: { created: 0, alreadyImported: 4 },
    comments: { created: { approved: 0, pending: 0, spam: 0, trash: 0 }, alreadyImported: 15 },
  });
  // An export of the import imports as the same again.
  const second = path.join(dir, 'second.jsonl');
  await writeJsonExport(createExportsRepository(target.db), second);
  const third = await buildTestApp();
  try {
    await importJson(third.db, second);
    expect(await contentOf(third.db)).toEqual(await contentOf(target.db));
  } finally {
    await third.close();
  }
});

it('WXR: export → import → the same posts, and comments with the same authors, addresses, text, status, dates and threads', async () => {
  const file = path.join(dir, 'blog.xml');
  expect(
    await writeWxrExport(createExportsRepository(source.db), file, {
      title: 'Field Notes',
      url: 'https://margins.example',
    }),
  ).toEqual({ posts: 4, comments: 13 });
  const report = await importWordPress(target.db, file);
  expect(report).toMatchObject({
    version: '1.2',
    posts: { created: 4 },
    comments: { created: { approved: 7, pending: 1, spam: 3, trash: 2 } },
    reattachedReplies: 0,
  });
  const comparable = (content: Awaited<ReturnType<typeof contentOf>>) =>
    content.map((post) => ({
      slug: post.slug,
      title: post.title,
      publishedAt: post.publishedAt,
      commentsOpen: post.commentsOpen,
      // WordPress keeps dates to the second.
      comments: post.comments.map((comment) => [
        comment.authorName,
        comment.authorEmail,
        comment.authorUrl,
        comment.ipAddress,
        comment.text,
        comment.status,
        Math.floor(comment.createdAt.getTime() / 1000),
        comment.parent?.replace(/\.\d{3}Z/, 'Z'),
      ]),
    }));
  expect(comparable(await contentOf(target.db, { withSourceIds: false }))).toEqual(
    comparable(await contentOf(source.db, { withSourceIds: false })),
  );
  const frost = await target.db.post.findUniqueOrThrow({ where: { slug: 'frost-on-the-reeds' } });
  expect(frost.bodyMarkdown).toContain('**white to the tip**');
});

it('makes the folder an export is asked into, and writes a file only its owner can read', async () => {
  const repo = createExportsRepository(source.db);
  const json = path.join(dir, 'exports', 'blog.jsonl');
  const wxr = path.join(dir, 'exports', 'wxr', 'blog.xml');
  await writeJsonExport(repo, json);
  await writeWxrExport(repo, wxr, { title: 'Field Notes', url: 'https://margins.example' });
  for (const file of [json, wxr]) expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
  expect((statSync(path.join(dir, 'exports')).mode & 0o777).toString(8)).toBe('700');
});

it('never overwrites a file', async () => {
  const file = path.join(dir, 'taken.jsonl');
  await writeJsonExport(createExportsRepository(source.db), file);
  await expect(writeJsonExport(createExportsRepository(source.db), file)).rejects.toThrow(ExportTargetError);
  expect(existsSync(file)).toBe(true);
});

it('refuses a JSON file that is not a marginalia export, or is broken, naming the line, and writes nothing', async () => {
  const notOurs = path.join(dir, 'other.jsonl');
  writeFileSync(notOurs, '{"hello":"world"}\n');
  await expect(importJson(target.db, notOurs)).rejects.toThrow('is not a marginalia export');
  const broken = path.join(dir, 'broken.jsonl');
  const file = path.join(dir, 'good.jsonl');
  await writeJsonExport(createExportsRepository(source.db), file);
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.splice(3, 0, '{"type":"comment","id":"not a number"}');
  writeFileSync(broken, lines.join('\n'));
  await expect(importJson(target.db, broken)).rejects.toThrow(`${broken}:4: id`);
  const badAddress = path.join(dir, 'bad-address.jsonl');
  writeFileSync(
    badAddress,
    readFileSync(file, 'utf8').replace('"slug":"frost-on-the-reeds"', '"slug":"../Frost on the reeds"'),
  );
  await expect(importJson(target.db, badAddress)).rejects.toThrow(
    `${badAddress}:2: slug is not a post address (lower-case letters, digits and hyphens).`,
  );
  expect(await target.db.post.count()).toBe(0);
});

it('JSON: an embedded page’s thread comes back as one, with its page’s old address, or joins the one there', async () => {
  const origins = { EMBED_ORIGINS: 'https://static.example' };
  const blog = await buildTestApp({ ...moderatorEnv, ...origins });
  const there = await buildTestApp(origins);
  const joined = await buildTestApp(origins);
  /** A page's first comment through the embed's form; the location it answered. */
  const firstComment = async (ctx: TestContext, url: string, comment: string) => {
    const frame = await request(ctx.app).get('/embed/thread').query({ url: 'https://static.example/stamp' });
    const stamp = /name="form_ts" value="([^"]+)"/.exec(frame.text)![1]!;
    return sendFirstComment(ctx.app, {
      page_url: url,
      page_title: 'Static',
      form_ts: stamp,
      comment,
      author: 'Em',
      email: 'em@example.org',
    }).expect(303);
  };
  try {
    await firstComment(blog, 'https://static.example/old/', 'From the static site.');
    const thread = await blog.db.post.findFirstOrThrow({ where: { kind: 'embed' } });
    await request(blog.app).get('/embed/thread').query({ url: 'https://static.example/old' }).expect(302);
    await blog.db.$transaction([
      blog.db.post.update({ where: { id: thread.id }, data: { embedUrl: 'https://static.example/new' } }),
      blog.db.postRedirect.create({ data: { path: 'https://static.example/old', postId: thread.id } }),
    ]);
    const file = path.join(dir, 'embeds.jsonl');
    await writeJsonExport(createExportsRepository(blog.db), file);
    // WordPress has no such thread: its export says whose comments they are.
    const wxr = path.join(dir, 'embeds.xml');
    await writeWxrExport(createExportsRepository(blog.db), wxr, { title: 'Static', url: 'https://comments.example' });
    expect(readFileSync(wxr, 'utf8')).toContain(
      '&lt;p&gt;The comments on &lt;a href="https://static.example/new"&gt;https://static.example/new&lt;/a&gt;.&lt;/p&gt;',
    );

    const report = await importJson(there.db, file);
    expect(report.posts.created).toBe(1);
    const imported = await there.db.post.findFirstOrThrow({ where: { kind: 'embed' }, include: { comments: true } });
    expect(imported.embedUrl).toBe('https://static.example/new');
    expect(imported.comments.map((comment) => comment.text)).toEqual(['From the static site.']);
    for (const url of ['https://static.example/new', 'https://static.example/old']) {
      const opened = await request(there.app).get('/embed/thread').query({ url }).expect(302);
      expect(opened.headers.location).toBe(`/embed/posts/${imported.slug}`);
    }
    expect((await importJson(there.db, file)).posts).toMatchObject({ created: 0, alreadyImported: 1 });

    // A blog where the page already has a thread: the imported comments join it.
    await firstComment(joined, 'https://static.example/new', 'Already here.');
    await importJson(joined.db, file);
    const threads = await joined.db.post.findMany({ where: { kind: 'embed' }, include: { comments: true } });
    expect(threads).toHaveLength(1);
    expect(threads[0]!.comments.map((comment) => comment.text).sort()).toEqual([
      'Already here.',
      'From the static site.',
    ]);
  } finally {
    await blog.close();
    await there.close();
    await joined.close();
  }
});
