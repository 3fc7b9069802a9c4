// The write ceilings: better-sqlite3 (WAL, the same synchronous level as the server) storing each
// urlencoded comment in one INSERT and answering 303, with no validation.
//   node bench/bare-insert-server.mjs <file>                  bare node:http, a table of five columns
//   node bench/bare-insert-server.mjs <copy of bench db> <slug>  bare node:http, marginalia's own
//     Comment table, every column the app writes, so SQLite maintains the same indexes as for a real comment
//   node bench/bare-insert-server.mjs --express <file> [<slug>]  either insert behind Express 5 and
//     its urlencoded body parser, nothing else: what the framework alone costs a POST. With the
//     Comment table, it is the "comment POST, raw better-sqlite3": the server's framework,
//     table and data, with the driver's own INSERT in place of Prisma and none of the server's checks.
import Database from 'better-sqlite3';
import { commentColumns, serveInserts } from './insert-server.mjs';

const args = process.argv.slice(2);
const viaExpress = args[0] === '--express';
const [file, slug] = viaExpress ? args.slice(1) : args;
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
let store;
if (slug) {
  const { id: postId } = db.prepare('SELECT id FROM Post WHERE slug = ?').get(slug);
  // run(), not get() with RETURNING: get() ends a write by resetting the statement, not stepping it
  // to its end, and SQLite's automatic checkpoint runs only from a step that ends a commit. The
  // log then never empties: it grew to 3.7 GB in one bench run, and the inserts skipped the cost
  // of checkpoints that every real server pays.
  const insert =
    db.prepare(`INSERT INTO Comment (postId, parentId, authorName, authorEmail, authorUrl, text, textHtml, status, ipAddress, userAgent, arrivalNote, createdAt, updatedAt)
    VALUES (?, NULL, ?, ?, NULL, ?, ?, 'pending', ?, ?, 'bench', ?, ?)`);
  store = (form, req) => {
    const now = new Date().toISOString().replace('Z', '+00:00');
    return insert.run(postId, ...commentColumns(form, req), now, now).lastInsertRowid;
  };
} else {
  db.exec(
    'CREATE TABLE IF NOT EXISTS comment (id INTEGER PRIMARY KEY, author TEXT, email TEXT, text TEXT, created_at TEXT)',
  );
  const insert = db.prepare('INSERT INTO comment (author, email, text, created_at) VALUES (?, ?, ?, ?)');
  store = (form) => insert.run(form.author, form.email, form.comment, new Date().toISOString()).lastInsertRowid;
}

serveInserts(store, { viaExpress });
