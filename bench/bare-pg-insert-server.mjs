// The write ceiling on PostgreSQL (npm run bench -- --postgres): node-postgres storing each
// urlencoded comment in one INSERT into marginalia's own Comment table (every column the app
// writes, so PostgreSQL maintains the same indexes and runs the same triggers) and answering 303,
// with no validation.
//   node bench/bare-pg-insert-server.mjs <database url> <slug>            bare node:http
//   node bench/bare-pg-insert-server.mjs --express <database url> <slug>  behind Express 5 and its
//     urlencoded body parser: the POST baseline, the server's framework, table and data
//     with the driver's own INSERT in place of Prisma and none of the server's checks.
import { commentColumns, serveInserts } from './insert-server.mjs';
import pg from 'pg';

const args = process.argv.slice(2);
const viaExpress = args[0] === '--express';
const [url, slug] = viaExpress ? args.slice(1) : args;
// As many connections as Prisma's adapter opens by default (node-postgres's pool of 10).
const pool = new pg.Pool({ connectionString: url, max: 10 });
const { rows } = await pool.query('SELECT id FROM "Post" WHERE slug = $1', [slug]);
const postId = rows[0].id;

async function store(form, req) {
  const now = new Date();
  const inserted = await pool.query(
    `INSERT INTO "Comment" ("postId", "parentId", "authorName", "authorEmail", "authorUrl", text, "textHtml", status,
       "ipAddress", "clientNetwork", "userAgent", "arrivalNote", "createdAt", "updatedAt")
     VALUES ($1, NULL, $2, $3, NULL, $4, $5, 'pending', $6, $6, $7, 'bench', $8, $8) RETURNING id`,
    [postId, ...commentColumns(form, req), now],
  );
  return inserted.rows[0].id;
}

serveInserts(store, { viaExpress, onStop: () => pool.end() });
