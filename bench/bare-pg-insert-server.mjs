// The write ceiling on PostgreSQL (npm run bench -- --postgres): node-postgres storing each
// urlencoded comment in one INSERT into marginalia's own Comment table (every column the app
// writes, so PostgreSQL maintains the same indexes and runs the same triggers) and answering 303,
// with no validation.
//   node bench/bare-pg-insert-server.mjs <database url> <slug>            bare node:http
//   node bench/bare-pg-insert-server.mjs --express <database url> <slug>  behind Express 5 and its
//     urlencoded body parser: the POST baseline, the server's framework, table and data
//     with the driver's own INSERT in place of Prisma and none of the server's checks.
import { createServer } from 'node:http';
import express from 'express';
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
    [
      postId,
      form.author,
      form.email,
      form.comment,
      `<p>${form.comment}</p>`,
      req.socket.remoteAddress,
      req.headers['user-agent'] ?? null,
      now,
    ],
  );
  return inserted.rows[0].id;
}

let server;
if (viaExpress) {
  const app = express();
  app.post('/{*path}', express.urlencoded({ extended: false }), async (req, res) => {
    res.redirect(303, `/posts/x#comment-${await store(req.body, req)}`);
  });
  server = app.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
} else {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const id = await store(Object.fromEntries(new URLSearchParams(body)), req);
      res.writeHead(303, { Location: `/posts/x#comment-${id}` });
      res.end();
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
}
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
