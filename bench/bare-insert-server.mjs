// The write ceiling: bare node:http + better-sqlite3 (WAL, the same synchronous level as the server)
// storing each urlencoded comment in one INSERT and answering 303, with no validation at all.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS comment (id INTEGER PRIMARY KEY, author TEXT, email TEXT, text TEXT, created_at TEXT)');
const insert = db.prepare('INSERT INTO comment (author, email, text, created_at) VALUES (?, ?, ?, ?)');

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const form = new URLSearchParams(body);
    const { lastInsertRowid } = insert.run(form.get('author'), form.get('email'), form.get('comment'), new Date().toISOString());
    res.writeHead(303, { Location: `/posts/x#comment-${lastInsertRowid}` });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
