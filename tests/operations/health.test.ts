import request from 'supertest';
import { buildTestApp, type TestContext } from '../helpers/test-app';
import { takeDatabaseAway } from '../helpers/test-database';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(() => ctx.close());

describe('GET /healthz', () => {
  it('answers 200 { status: "ok" } when the database answers, uncached and unlogged', async () => {
    const lines = ctx.logLines.length;
    const res = await request(ctx.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(ctx.logLines.length).toBe(lines);
  });

  it('answers 503 { status: "unavailable" } when the database cannot be read, with no path or error in it, and recovers', async () => {
    // The data folder disappears (an unmounted volume, say), or PostgreSQL stops taking
    // connections to the database: the connection is reopened and fails.
    await ctx.db.$disconnect();
    const comeBack = await takeDatabaseAway(ctx.config.DATABASE_URL, ctx.dir);
    try {
      const res = await request(ctx.app).get('/healthz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable' });
      expect(res.text).not.toContain(ctx.dir);
      expect(ctx.logLines.join('')).toContain('health check: the database did not answer');
    } finally {
      await comeBack();
    }
    expect((await request(ctx.app).get('/healthz')).status).toBe(200);
  });
});
