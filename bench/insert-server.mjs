// What the bench's insert ceilings share: a server answering every urlencoded POST by storing it
// (`store(form, req)` gives the new id, or a promise of it) and a 303 to it, bare node:http or
// Express 5 with its urlencoded parser; it prints its port, and stops on SIGTERM (then `onStop`).
import { createServer } from 'node:http';
import express from 'express';

/** Calls `then` with the value, at once when it is not a promise (a synchronous driver pays no extra turn). */
const whenStored = (id, then) => (id instanceof Promise ? id.then(then) : then(id));

/**
 * A posted comment's columns as marginalia's Comment table takes them, in the order the same-table
 * ceilings insert them: author, email, text, its HTML, the client's address, its user agent.
 */
export function commentColumns(form, req) {
  return [
    form.author,
    form.email,
    form.comment,
    `<p>${form.comment}</p>`,
    req.socket.remoteAddress,
    req.headers['user-agent'] ?? null,
  ];
}

export function serveInserts(store, { viaExpress, onStop = async () => undefined }) {
  let server;
  if (viaExpress) {
    const app = express();
    app.post('/{*path}', express.urlencoded({ extended: false }), (req, res) =>
      whenStored(store(req.body, req), (id) => res.redirect(303, `/posts/x#comment-${id}`)),
    );
    server = app.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
  } else {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () =>
        whenStored(store(Object.fromEntries(new URLSearchParams(body)), req), (id) => {
          res.writeHead(303, { Location: `/posts/x#comment-${id}` });
          res.end();
        }),
      );
    });
    server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
  }
  process.on('SIGTERM', () => server.close(() => void onStop().then(() => process.exit(0))));
}
