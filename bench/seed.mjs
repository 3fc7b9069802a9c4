// Realistic data for the bench, written straight into a freshly migrated database: one ~25 KB
// article with 20 approved comments, one post with 2,000 comments in threads, and 100 posts with
// 100,000 comments in all (most approved, some pending, spam or trash). Text is generated here.
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';

const require = createRequire(import.meta.url);
const { applyMigrations } = require('../dist/db/migrations.js');
const { renderPostBody, excerptOf } = require('../dist/posts/post-markdown.js');
const { renderCommentText } = require('../dist/shared/comment-text.js');

const words = (
  'margin note pencil reader page ink paper book chapter line question answer idea ' +
  'thought word sentence story letter window morning evening river garden lamp desk shelf quiet ' +
  'careful bright small long open second early late simple honest curious gentle'
).split(' ');
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (list) => list[Math.floor(random() * list.length)];
const sentence = (n) => {
  const text = Array.from({ length: n }, () => pick(words)).join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
};
const paragraph = (sentences) =>
  Array.from({ length: sentences }, () => sentence(8 + Math.floor(random() * 10))).join(' ');

export const benchPosts = { article: 'bench-article', big: 'bench-big', mixed: 'bench-mixed', grows: 'bench-grows' };

/**
 * Adds the post that every comment of the one-post POST scenario goes to, with `count` approved
 * comments in threads (the triggers keep its counts as they are written); returns its slug.
 */
export function seedGrowingPost(file, count) {
  const db = new Database(file);
  const when = new Date(Date.UTC(2026, 0, 2)).toISOString().replace('Z', '+00:00');
  const postId = Number(
    db
      .prepare(
        `INSERT INTO Post (slug, title, bodyMarkdown, bodyHtml, excerpt, authorName, publishedAt, commentsOpen, updatedAt)
        VALUES (?, 'The post that keeps growing', 'Everyone comments here.', '<p>Everyone comments here.</p>', 'Everyone comments here.', 'Bench Author', ?, 1, ?)`,
      )
      .run(benchPosts.grows, when, when).lastInsertRowid,
  );
  const insert =
    db.prepare(`INSERT INTO Comment (postId, parentId, authorName, authorEmail, text, textHtml, status, ipAddress, clientNetwork, userAgent, createdAt, updatedAt)
    VALUES (?, ?, ?, ?, ?, ?, 'approved', '203.0.113.8', '203.0.113.8', 'bench', ?, ?)`);
  db.transaction(() => {
    const ids = [];
    for (let i = 0; i < count; i += 1) {
      const text = sentence(10);
      const at = new Date(Date.UTC(2026, 0, 2) + i * 1000).toISOString().replace('Z', '+00:00');
      const parentId = ids.length > 0 && random() < 0.5 ? pick(ids) : null;
      ids.push(
        Number(
          insert.run(postId, parentId, `Grower ${i}`, `grower${i}@example.com`, text, renderCommentText(text), at, at)
            .lastInsertRowid,
        ),
      );
    }
  })();
  db.close();
  return benchPosts.grows;
}

/** Creates and fills the bench database; returns how many comments it wrote. */
export async function seedBenchDatabase(file) {
  await applyMigrations(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const iso = (ms) => new Date(ms).toISOString().replace('Z', '+00:00');
  const insertPost =
    db.prepare(`INSERT INTO Post (slug, title, bodyMarkdown, bodyHtml, excerpt, authorName, publishedAt, commentsOpen, updatedAt)
    VALUES (?, ?, ?, ?, ?, 'Bench Author', ?, 1, ?)`);
  const insertComment =
    db.prepare(`INSERT INTO Comment (postId, parentId, authorName, authorEmail, authorUrl, text, textHtml, status, ipAddress, userAgent, createdAt, updatedAt)
    VALUES (?, ?, ?, ?, NULL, ?, ?, ?, '203.0.113.7', 'bench', ?, ?)`);
  const start = Date.UTC(2026, 0, 1);
  let comments = 0;

  const addPost = (slug, title, markdown, day) => {
    const when = iso(start + day * 86_400_000);
    return Number(
      insertPost.run(slug, title, markdown, renderPostBody(markdown), excerptOf(markdown), when, when).lastInsertRowid,
    );
  };
  const addComments = (postId, count, { threaded, statuses }) => {
    const ids = [];
    for (let i = 0; i < count; i += 1) {
      const parentId = threaded && ids.length > 0 && random() < 0.6 ? pick(ids) : null;
      const text = `${paragraph(1 + Math.floor(random() * 3))}\n\n${sentence(6)}`;
      const status = statuses ? pick(statuses) : 'approved';
      const when = iso(start + 3_600_000 + comments * 1000);
      const id = Number(
        insertComment.run(
          postId,
          parentId,
          `Reader ${comments}`,
          `reader${comments}@example.com`,
          text,
          renderCommentText(text),
          status,
          when,
          when,
        ).lastInsertRowid,
      );
      if (status === 'approved') ids.push(id);
      comments += 1;
    }
  };

  db.transaction(() => {
    const article = Array.from({ length: 26 }, (_, i) => (i % 7 === 3 ? `> ${paragraph(2)}` : paragraph(7))).join(
      '\n\n',
    );
    addComments(addPost(benchPosts.article, 'A long article for the bench', article, 0), 20, { threaded: true });
    addComments(addPost(benchPosts.big, 'The post everyone answered', paragraph(20), 1), 2000, { threaded: true });
    addPost(benchPosts.mixed, 'A post under mixed load', paragraph(10), 2);
    const statuses = [...Array(16).fill('approved'), 'pending', 'pending', 'spam', 'trash'];
    for (let p = 3; p < 100; p += 1)
      addComments(
        addPost(`bench-post-${p}`, `Bench post ${p}`, paragraph(12), p),
        p === 99 ? 100_000 - 2020 - 96 * 1010 : 1010,
        { threaded: true, statuses },
      );
  })();
  db.close();
  return comments;
}
