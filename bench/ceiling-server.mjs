// The ceiling: bare node:http answering every request with the exact bytes (and content type) our
// article page produced. Nothing can serve that page faster on this machine, so the bench reports
// marginalia's figures as a fraction of this one, measured in the same run.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const body = readFileSync(process.argv[2]);
const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length };
const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
