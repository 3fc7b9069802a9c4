import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
import { logWhenAnswered } from '../../src/http/access-log';
import { createLogger } from '../../src/http/logger';
import { addPost } from '../helpers/factories';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// One JSON line per answered request, whichever part of the app answered it.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(() => ctx.close());

/** The log lines written while `act` ran, parsed. */
async function linesDuring(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const before = ctx.logLines.length;
  await act();
  return ctx.logLines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
}

const pino = { info: 30, warn: 40, error: 50 };

describe('the access log', () => {
  it('writes method, path without the query string, status and time for a page', async () => {
    const post = await addPost(ctx.db);
    const lines = await linesDuring(() =>
      request(ctx.app).get(`/posts/${post.slug}?cpage=1&ref=someone%40example.com`).expect(200),
    );
    expect(lines).toEqual([
      expect.objectContaining({
        level: pino.info,
        req: { method: 'GET', path: `/posts/${post.slug}` },
        res: { statusCode: 200 },
        msg: 'request completed',
      }),
    ]);
    expect(lines[0]!.responseTime).toEqual(expect.any(Number));
    expect(JSON.stringify(lines)).not.toContain('example.com');
  });

  it('logs refused and failed requests at warn and error, with the path as the client asked for it (not as a mounted router saw it)', async () => {
    const lines = await linesDuring(() => request(ctx.app).get('/admin/api/comments?status=pending').expect(503));
    // The admin API is closed without a token configured: 503, which is an error-level answer.
    expect(lines).toEqual([
      expect.objectContaining({
        level: pino.error,
        req: { method: 'GET', path: '/admin/api/comments' },
        res: { statusCode: 503 },
      }),
    ]);
    const missing = await linesDuring(() => request(ctx.app).post('/no-such-page').send('a=b').expect(404));
    expect(missing).toEqual([
      expect.objectContaining({
        level: pino.warn,
        req: { method: 'POST', path: '/no-such-page' },
        res: { statusCode: 404 },
      }),
    ]);
  });

  it('does not log passing health checks', async () => {
    expect(await linesDuring(() => request(ctx.app).get('/healthz').expect(200))).toEqual([]);
  });

  it('logs an answer the client left before receiving as aborted, at warn', async () => {
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({ write: (chunk: Buffer, _encoding, done) => void (lines.push(chunk.toString('utf8')), done()) }),
    );
    let received: () => void = () => undefined;
    let closed: () => void = () => undefined;
    const requestReceived = new Promise<void>((resolve) => (received = resolve));
    const responseClosed = new Promise<void>((resolve) => (closed = resolve));
    // A handler that never answers: the client gives up first.
    const server = createServer((req, res) => {
      logWhenAnswered(logger, req, res);
      res.once('close', () => setImmediate(closed));
      received();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = httpRequest({ port: (server.address() as AddressInfo).port, path: '/slow?x=1' });
      client.on('error', () => undefined);
      client.end();
      await requestReceived;
      client.destroy();
      await responseClosed;
      expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
        expect.objectContaining({ level: pino.warn, req: { method: 'GET', path: '/slow' }, msg: 'request aborted' }),
      ]);
    } finally {
      server.close();
    }
  });
});
