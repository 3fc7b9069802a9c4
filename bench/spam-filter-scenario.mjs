// The spam filter's cost on the comment POST (issue 24): the seeded database's first 3,000
// approved comments learned as legitimate and 1,000 generated spam comments as spam (then
// `npm run spam -- retrain`, as an owner would), and the POST loaded with the filter on and off,
// switched through the admin API between loads, alternating round by round. Each POST is a
// generated legitimate comment (held, as the default rules say), so the two differ only by the
// scoring. SQLite only: the training is written into the seeded file.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';

const require = createRequire(import.meta.url);
const { createCommentGenerator } = require('./comment-generator.cjs');
const { renderCommentText } = require('../dist/shared/comment-text.js');
const { emptySpamCounts, score } = require('../dist/spam-filter/naive-bayes.js');
const { spamTokensOf } = require('../dist/spam-filter/spam-tokens.js');

/** Labels and adds the training comments to the seeded file, then retrains the model from them. */
export async function trainSpamFilter(root, file) {
  const generate = createCommentGenerator(24);
  const db = new Database(file);
  db.transaction(() => {
    db.prepare(
      "UPDATE Comment SET spamLabel = 'ham' WHERE id IN (SELECT id FROM Comment WHERE status = 'approved' ORDER BY id LIMIT 3000)",
    ).run();
    const postId = db.prepare("SELECT id FROM Post WHERE slug = 'bench-post-3'").get().id;
    const insert =
      db.prepare(`INSERT INTO Comment (postId, authorName, authorEmail, authorUrl, text, textHtml, status, spamLabel, createdAt, updatedAt)
      VALUES (?, ?, 'spam@bench.example', ?, ?, ?, 'spam', 'spam', '2026-01-02T00:00:00.000+00:00', '2026-01-02T00:00:00.000+00:00')`);
    for (let i = 0; i < 1000; i += 1) {
      const spam = generate.spam();
      insert.run(postId, spam.name, spam.url, spam.text, renderCommentText(spam.text));
    }
  })();
  db.close();
  const cli = path.join(root, 'dist', 'spam-filter', 'spam-cli.js');
  const output = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'retrain'], {
      env: { PATH: process.env.PATH, DATABASE_URL: `file:${file}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`retrain exited with ${code}`))));
  });
  return output;
}

/** The filter switched on or off through the admin API. */
async function switchFilter(url, apiToken, on) {
  const res = await fetch(`${url}/admin/api/settings`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ moderation: { spamFilter: on } }),
  });
  if (res.status !== 200) throw new Error(`switching the spam filter: ${res.status} ${await res.text()}`);
}

/** The comment POST with the filter on and off, alternating (`measure` is bench.mjs's). */
export async function measureSpamFilter(measure, { url, apiToken, slug }) {
  const generate = createCommentGenerator(25);
  let sent = 0;
  const post = {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: (request) => {
      sent += 1;
      const comment = generate.legitimate();
      return {
        ...request,
        path: `/posts/${slug}/comments`,
        body: new URLSearchParams({
          comment: `${comment.text} (${sent})`,
          author: comment.name,
          email: `filter${sent}@bench.example`,
          url: comment.url ?? '',
          comment_parent: '0',
        }).toString(),
      };
    },
  };
  return measure('comment POST: spam filter on and off', {
    filterOn: { url, requests: [post], before: () => switchFilter(url, apiToken, true) },
    filterOff: { url, requests: [post], before: () => switchFilter(url, apiToken, false) },
  });
}

/**
 * Scoring alone, in this process, on the trained model read from the file: the mean time to
 * tokenize and score a generated comment (half legitimate, half spam); and the heap a model at
 * its bound (100,000 tokens) takes.
 */
export function scoringCost(file) {
  const db = new Database(file, { readonly: true });
  const counts = emptySpamCounts();
  const totals = db.prepare('SELECT spamComments, hamComments FROM SpamModel WHERE id = 1').get();
  counts.spamDocs = totals.spamComments;
  counts.hamDocs = totals.hamComments;
  for (const { token, spam, ham } of db.prepare('SELECT token, spam, ham FROM SpamToken').iterate())
    counts.tokens.set(token, { spam, ham });
  db.close();
  const generate = createCommentGenerator(26);
  const comments = Array.from({ length: 10_000 }, (_, i) => {
    const { name, url, text } = i % 2 ? generate.spam() : generate.legitimate();
    return { name, url, text };
  });
  for (const comment of comments.slice(0, 1000)) score(counts, spamTokensOf(comment));
  const started = process.hrtime.bigint();
  for (const comment of comments) score(counts, spamTokensOf(comment));
  const microseconds = Number(process.hrtime.bigint() - started) / 1000 / comments.length;

  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const full = emptySpamCounts();
  for (let i = 0; i < 100_000; i += 1) full.tokens.set(`token-${i.toString(36)}-x`, { spam: i % 7, ham: i % 5 });
  globalThis.gc?.();
  const modelMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  return {
    tokens: counts.tokens.size,
    microsecondsPerComment: microseconds,
    fullModelMb: modelMb,
    keep: full.tokens.size,
  };
}
