import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request, { type Response } from 'supertest';
import { addComment, addPost } from '../helpers/factories';
import { apiToken, moderatorEnv } from '../helpers/moderator';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// /api/openapi.json: a valid OpenAPI 3.1 document, and every route's real answers, success and
// refusal alike, hold to what it says (statuses and bodies). Every operation it lists is called.

interface Operation {
  responses: Record<string, { content?: { 'application/json': { schema: object } } }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

const auth = { Authorization: `Bearer ${apiToken}` };
const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
let ctx: TestContext;
let document: Document;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const answered = new Map<string, Set<number>>();

beforeAll(async () => {
  ctx = await buildTestApp({ ...moderatorEnv, MODERATION_MODE: 'approve' });
  document = (await request(ctx.app).get('/api/openapi.json').expect(200)).body as Document;
});
afterAll(() => ctx.close());

/** The operation a request went to: its method and path template (literal paths first). */
function operationOf(method: string, url: string): { key: string; operation: Operation } {
  const pathname = new URL(url, 'http://x').pathname;
  const templates = Object.keys(document.paths).sort(
    (a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0),
  );
  for (const template of templates) {
    const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    const operation = document.paths[template]![method];
    if (pattern.test(pathname) && operation) return { key: `${method.toUpperCase()} ${template}`, operation };
  }
  throw new Error(`${method.toUpperCase()} ${pathname} is not in the OpenAPI document`);
}

/** Holds a real answer to the document: a status it lists, and a body its schema accepts. */
function conforms(method: string, url: string, res: Response): Response {
  const { key, operation } = operationOf(method, url);
  const documented = operation.responses[String(res.status)];
  if (!documented) throw new Error(`${key} answered ${res.status}, which the document does not list`);
  const schema = documented.content?.['application/json'].schema;
  if (schema) {
    const validate = ajv.compile(schema);
    if (!validate(res.body))
      throw new Error(`${key} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body)}`);
  } else expect(res.text).toBe('');
  if (!answered.has(key)) answered.set(key, new Set());
  answered.get(key)!.add(res.status);
  return res;
}

const api = {
  async get(url: string, admin = true) {
    const req = request(ctx.app).get(url);
    return conforms('get', url, await (admin ? req.set(auth) : req));
  },
  async send(method: 'post' | 'patch' | 'delete', url: string, body?: unknown, admin = true) {
    let req = request(ctx.app)[method](url);
    if (admin) req = req.set(auth);
    return conforms(method, url, await (body === undefined ? req : req.send(body as object)));
  },
};

it('is a valid OpenAPI 3.1 document', () => {
  expect(document.openapi).toBe('3.1.0');
  // The validator is an ES module: run in a Node of its own, the document on its standard input.
  const validator = `import { Validator } from '@seriousme/openapi-schema-validator';
    let text = ''; for await (const chunk of process.stdin) text += chunk;
    console.log(JSON.stringify(await new Validator().validate(JSON.parse(text))));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', validator], {
    input: JSON.stringify(document),
    encoding: 'utf8',
    cwd: path.resolve(__dirname, '..', '..'),
  });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual({ valid: true });
});

it('describes the public comment API as it answers', async () => {
  const post = await addPost(ctx.db);
  const created = await api.send(
    'post',
    `/api/posts/${post.slug}/comments`,
    { comment: 'Documented', author: 'Ada', email: 'ada@example.com' },
    false,
  );
  expect(created.status).toBe(201);
  await api.send('post', `/api/posts/${post.slug}/comments`, { comment: '', author: 'Ada', email: 'x' }, false);
  await api.send('post', `/api/posts/${post.slug}/comments`, { comment: ['list'] }, false);
  await api.send(
    'post',
    `/api/posts/${post.slug}/comments`,
    { comment: 'Documented', author: 'Ada', email: 'ada@example.com' },
    false,
  );
  await api.send(
    'post',
    '/api/posts/no-such-post/comments',
    { comment: 'x', author: 'A', email: 'a@example.com' },
    false,
  );
  expect((await api.get(`/api/posts/${post.slug}/comments`, false)).body.comments).toHaveLength(1);
  await api.get('/api/posts/no-such-post/comments', false);
  await api.get(`/api/embed/counts?url=${encodeURIComponent('https://blog.example/a')}&url=not-one`, false);
  await api.get(`/api/embed/counts?${Array.from({ length: 51 }, (_, i) => `url=p${i}`).join('&')}`, false);
});

it('describes the admin API’s comments, posts and notifications as they answer', async () => {
  const post = await addPost(ctx.db);
  const comment = await addComment(ctx.db, post.id, { authorEmail: 'bea@example.com' });
  await api.get('/admin/api/comments?status=approved&q=Comment');
  await api.get('/admin/api/comments?q=twice&q=over');
  conforms('get', '/admin/api/comments', await request(ctx.app).get('/admin/api/comments'));
  await api.send('patch', `/admin/api/comments/${comment.id}`, {
    status: 'approved',
    pinned: true,
    repliesLocked: true,
  });
  await api.send('patch', `/admin/api/comments/${comment.id}`, { status: 'nonsense' });
  await api.send('patch', `/admin/api/comments/${comment.id}`, { pinned: 'yes' });
  await api.send('patch', '/admin/api/comments/999999', { status: 'spam' });
  await api.send('post', `/admin/api/comments/${comment.id}/reply`, { comment: 'Thank you' });
  await api.send('post', '/admin/api/comments/bulk', { ids: [comment.id], status: 'trash' });
  await api.send('post', `/admin/api/comments/${comment.id}/reply`, { comment: 'Too late' });
  await api.send('delete', `/admin/api/comments/${comment.id}`);
  await api.send('delete', `/admin/api/comments/${comment.id}`);

  await api.get('/admin/api/posts');
  const written = await api.send('post', '/admin/api/posts', { title: 'An API post', body: 'Words.', tags: ['api'] });
  expect(written.status).toBe(201);
  await api.send('post', '/admin/api/posts', { title: 'An API post', slug: written.body.post.slug, body: 'Again.' });
  await api.send('post', '/admin/api/posts', { title: '' });
  await api.send('patch', `/admin/api/posts/${written.body.post.id}`, { status: 'draft' });
  await api.send('delete', `/admin/api/posts/${written.body.post.id}`);
  await api.send('delete', `/admin/api/posts/${written.body.post.id}`);

  await api.get('/admin/api/notifications?status=failed');
  const failed = await ctx.db.delivery.create({
    data: {
      channel: 'webhook',
      kind: 'comment.created',
      recipient: 'https://hooks.example/in',
      body: '{}',
      status: 'failed',
      nextAttemptAt: new Date(),
      createdAt: new Date(),
    },
  });
  await api.send('post', `/admin/api/notifications/${failed.id}/send-again`);
  await api.send('post', `/admin/api/notifications/${failed.id}/send-again`);
});

it('describes imports and media as they answer', async () => {
  const fixture = path.resolve(__dirname, '..', 'fixtures', 'imports', 'wxr-1.2.xml');
  conforms(
    'post',
    '/admin/api/imports',
    await request(ctx.app)
      .post('/admin/api/imports')
      .set(auth)
      .field('format', 'wordpress')
      .field('dryRun', 'yes')
      .attach('file', fixture),
  );
  conforms(
    'post',
    '/admin/api/imports',
    await request(ctx.app).post('/admin/api/imports').set(auth).field('format', 'nonsense').attach('file', fixture),
  );
  const uploaded = conforms(
    'post',
    '/admin/api/media',
    await request(ctx.app).post('/admin/api/media').set(auth).attach('file', gif, 'dot.gif'),
  );
  expect(uploaded.status).toBe(201);
  conforms(
    'post',
    '/admin/api/media',
    await request(ctx.app).post('/admin/api/media').set(auth).attach('file', Buffer.from('not an image'), 'x.gif'),
  );
  await api.send('delete', `/admin/api/media/${uploaded.body.media.id}`);
  await api.send('delete', `/admin/api/media/${uploaded.body.media.id}`);
});

it('describes commenters, blocks and settings as they answer', async () => {
  const post = await addPost(ctx.db);
  await addComment(ctx.db, post.id, { authorEmail: 'cleo@example.com' });
  await api.get('/admin/api/commenters/export?email=cleo@example.com');
  await api.get('/admin/api/commenters/export');
  await api.send('post', '/admin/api/commenters/erase', { email: 'cleo@example.com', mode: 'anonymize' });
  await api.send('post', '/admin/api/commenters/erase', { email: 'cleo@example.com', mode: 'shred' });
  await api.send('post', '/admin/api/commenters/erase', { email: 3 });

  const added = await api.send('post', '/admin/api/blocks', { ip: '192.0.2.0/24', note: 'test' });
  await api.send('post', '/admin/api/blocks', { ip: '192.0.2.0/24' });
  await api.send('post', '/admin/api/blocks', { email: 'nope' });
  await api.send('post', '/admin/api/blocks', { email: 1 });
  await api.get('/admin/api/blocks');
  await api.send('delete', `/admin/api/blocks/${added.body.block.id}`);
  await api.send('delete', `/admin/api/blocks/${added.body.block.id}`);

  await api.get('/admin/api/settings');
  await api.send('patch', '/admin/api/settings', { site: { tagline: 'Documented' } });
  await api.send('patch', '/admin/api/settings', { site: { commentsPerPage: 0 } });
  await api.send('patch', '/admin/api/settings', { site: { unknown: 1 } });
});

it('has every operation of the document called, and answering with success', () => {
  const operations = Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${template}`),
  );
  expect(operations.length).toBeGreaterThanOrEqual(23);
  const unsuccessful = operations.filter((key) => ![...(answered.get(key) ?? [])].some((status) => status < 300));
  expect(unsuccessful).toEqual([]);
});
