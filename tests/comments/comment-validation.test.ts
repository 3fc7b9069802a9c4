import request from 'supertest';
import { addPost } from '../helpers/factories';
import { commentIdIn, fieldError, fieldValue, formBody } from '../helpers/html';
import { buildTestApp, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let slug: string;
beforeAll(async () => {
  ctx = await buildTestApp();
  slug = (await addPost(ctx.db)).slug;
});
afterAll(() => ctx.close());

let submissions = 0;
/** A valid submission with a text of its own (the same text twice is refused as a duplicate). */
const valid = () => ({ comment: `Hello there, number ${++submissions}.`, author: 'Bo', email: 'bo@example.com' });

const postForm = (body: string) => request(ctx.app).post(`/posts/${slug}/comments`).type('form').send(body);
const postJson = (body: unknown) =>
  request(ctx.app)
    .post(`/api/posts/${slug}/comments`)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));

async function expectNothingStored<T>(action: () => Promise<T>): Promise<T> {
  const before = await ctx.db.comment.count();
  const result = await action();
  expect(await ctx.db.comment.count()).toBe(before);
  return result;
}

// [case, fields to send, field in error, message]
const refusals: [string, Record<string, string>, string, string][] = [
  ['an empty comment', { ...valid(), comment: '' }, 'comment', 'Please type your comment.'],
  ['a whitespace-only comment', { ...valid(), comment: ' \n\t ' }, 'comment', 'Please type your comment.'],
  ['a missing name', { comment: 'x', email: 'bo@example.com' }, 'author', 'Please enter your name.'],
  ['a whitespace-only name', { ...valid(), author: '   ' }, 'author', 'Please enter your name.'],
  [
    'a missing email',
    { comment: 'x', author: 'Bo' },
    'email',
    'Please enter your email address. It will not be published.',
  ],
  [
    'a malformed email',
    { ...valid(), email: 'bo@' },
    'email',
    'Please enter a valid email address, like name@example.com.',
  ],
  [
    'an email with spaces',
    { ...valid(), email: 'bo @example.com' },
    'email',
    'Please enter a valid email address, like name@example.com.',
  ],
  [
    'a javascript: website',
    { ...valid(), url: 'javascript:alert(1)' },
    'url',
    'Please enter a web address starting with http:// or https://, or leave the field empty.',
  ],
  [
    'an ftp website',
    { ...valid(), url: 'ftp://files.example.com' },
    'url',
    'Please enter a web address starting with http:// or https://, or leave the field empty.',
  ],
  [
    'a website with a password',
    { ...valid(), url: 'https://me:secret@example.com' },
    'url',
    'Please leave the user name and password out of the web address.',
  ],
  [
    'an email address as the website',
    { ...valid(), url: 'user@example.org' },
    'url',
    'That looks like an email address: it goes in the Email field. Website is for a web address, like example.org.',
  ],
];

describe('comment validation on the form', () => {
  it.each(refusals)(
    'refuses %s with 422, a message next to the field, and the input kept',
    async (_case, fields, field, message) => {
      const res = await expectNothingStored(() => postForm(formBody(fields)));
      expect(res.status).toBe(422);
      expect(res.text).toContain('Your comment could not be posted. Please correct the fields marked below.');
      expect(fieldError(res.text, field)).toBe(message);
      expect(res.text).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
      expect(res.text).toMatch(new RegExp(`id="${field}"[^>]*aria-describedby="[^"]*${field}-error`));
      for (const [name, value] of Object.entries(fields)) expect(fieldValue(res.text, name)).toBe(value);
    },
  );

  it('links the summary to each bad field and lets it take focus', async () => {
    const res = await postForm(formBody({ comment: '', author: '', email: '' }));
    expect(res.text).toMatch(/<div class="form-error-summary" role="alert" tabindex="-1" autofocus/);
    expect(res.text).toContain('<a href="#comment">Please type your comment.</a>');
    expect(res.text).toContain('<a href="#author">Please enter your name.</a>');
    expect(res.text).toContain('<a href="#email">Please enter your email address. It will not be published.</a>');
  });

  it.each([
    ['a repeated name (author=a&author=b)', 'comment=x&email=bo%40example.com&author=a&author=b', 'author'],
    ['a repeated comment', 'comment=a&comment=b&author=Bo&email=bo%40example.com', 'comment'],
  ])('answers %s with 400 and a clear message, never coercing it', async (_case, body, field) => {
    const res = await expectNothingStored(() => postForm(body));
    expect(res.status).toBe(400);
    expect(fieldError(res.text, field)).toBe(
      `${field === 'author' ? 'Name' : 'Comment'} must be a single piece of text, not a list or a group of values.`,
    );
    expect(res.text).toContain('Your comment could not be read');
  });

  it('treats a bracketed list (author[]=a) as a missing name: Express 5 never builds arrays or objects from brackets', async () => {
    const res = await expectNothingStored(() =>
      postForm('comment=x&email=bo%40example.com&author[]=a&author[]=b&author[x]=1'),
    );
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'author')).toBe('Please enter your name.');
  });

  it('keeps HTML and script typed into every field as inert text', async () => {
    const hostile = {
      comment: '<script>alert(1)</script><img src=x onerror=alert(2)>',
      author: '"><svg/onload=alert(3)>',
      email: '<b>@',
      url: 'javascript:alert(4)',
    };
    const res = await expectNothingStored(() => postForm(formBody(hostile)));
    expect(res.status).toBe(422);
    expect(res.text).not.toMatch(/<script>alert|<img src=x|<svg\/onload|<b>@/);
    for (const [name, value] of Object.entries(hostile)) expect(fieldValue(res.text, name)).toBe(value);
  });
});

describe('comment validation on the JSON API', () => {
  it('answers a rule breach with 422 and { error: { code, message, fields } }', async () => {
    const res = await expectNothingStored(() => postJson({ comment: ' ', author: 'Bo', email: 'nope' }));
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: {
        code: 'validation_failed',
        message: 'Please correct the highlighted fields.',
        fields: {
          comment: 'Please type your comment.',
          email: 'Please enter a valid email address, like name@example.com.',
        },
      },
    });
  });

  it.each([
    ['an array', { ...valid(), author: ['a', 'b'] }, 'author'],
    ['an object', { ...valid(), comment: { text: 'x' } }, 'comment'],
    ['a number', { ...valid(), email: 42 }, 'email'],
  ])('answers %s where text belongs with 400', async (_case, body, field) => {
    const res = await expectNothingStored(() => postJson(body));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.fields[field]).toMatch(/must be a single piece of text/);
  });

  it('answers a JSON array body with 400', async () => {
    const res = await expectNothingStored(() => postJson([valid()]));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'The request body must be a JSON object with the fields comment, author and email.',
    );
  });

  it('answers malformed JSON with 400', async () => {
    const res = await expectNothingStored(() =>
      request(ctx.app)
        .post(`/api/posts/${slug}/comments`)
        .set('Content-Type', 'application/json')
        .send('{"comment": "x",'),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'invalid_json',
      message: 'The request body is not valid JSON.',
      fields: {},
    });
    expect(res.text).not.toMatch(/at .*\.js|SyntaxError/);
  });

  it.each([
    ['text/plain', 'comment=x'],
    ['application/xml', '<comment/>'],
  ])('answers an unexpected content type (%s) with 415', async (type, body) => {
    const res = await expectNothingStored(() =>
      request(ctx.app).post(`/api/posts/${slug}/comments`).set('Content-Type', type).send(body),
    );
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('answers a form post sent as JSON with 415 on the HTML route too', async () => {
    const res = await expectNothingStored(() =>
      request(ctx.app)
        .post(`/posts/${slug}/comments`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(valid())),
    );
    expect(res.status).toBe(415);
    expect(res.text).toContain('Please send the comment form');
  });

  it('answers a body with no content type at all with 415', async () => {
    const res = await expectNothingStored(() => request(ctx.app).post(`/api/posts/${slug}/comments`));
    expect(res.status).toBe(415);
  });

  it('refuses lone surrogates (broken Unicode) with a clear message', async () => {
    const res = await expectNothingStored(() =>
      request(ctx.app)
        .post(`/api/posts/${slug}/comments`)
        .set('Content-Type', 'application/json')
        .send(`{"comment":"bad \\ud800 text","author":"Bo","email":"bo@example.com"}`),
    );
    expect(res.status).toBe(422);
    expect(res.body.error.fields.comment).toBe(
      'Comment contains characters that are not valid text (broken Unicode). Please retype it.',
    );
  });
});

describe('lengths (UTF-8 bytes, as WordPress counts them)', () => {
  const cases: [string, number, string][] = [
    ['comment', 65_525, 'Comment'],
    ['author', 245, 'Name'],
  ];
  it.each(cases)(
    '%s: accepts exactly %i bytes of multibyte text and refuses one byte more',
    async (field, limit, label) => {
      // "é" is 2 bytes and "😀" 4: fill to the limit with both, and an ASCII tail for odd remainders.
      const fill = (bytes: number) => {
        const emoji = Math.floor(bytes / 8);
        const rest = bytes - emoji * 4;
        return '😀'.repeat(emoji) + 'é'.repeat(Math.floor(rest / 2)) + 'a'.repeat(rest % 2);
      };
      const atLimit = fill(limit);
      expect(Buffer.byteLength(atLimit)).toBe(limit);
      const ok = await postJson({ ...valid(), [field]: atLimit });
      expect(ok.status).toBe(201);
      const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: ok.body.comment.id } });
      expect(stored[field === 'comment' ? 'text' : 'authorName']).toBe(atLimit);

      const over = await expectNothingStored(() => postJson({ ...valid(), [field]: `${atLimit}a` }));
      expect(over.status).toBe(422);
      expect(over.body.error.fields[field]).toBe(
        `${label} is too long: ${(limit + 1).toLocaleString('en-US')} bytes, and the limit is ${limit.toLocaleString('en-US')}. (Plain letters take 1 byte, accented letters 2, emoji 4.)`,
      );
    },
  );

  it('email: accepts 100 bytes and refuses 101', async () => {
    const at100 = `${'a'.repeat(100 - '@example.com'.length)}@example.com`;
    expect((await postJson({ ...valid(), email: at100 })).status).toBe(201);
    const over = await expectNothingStored(() => postJson({ ...valid(), email: `a${at100}` }));
    expect(over.body.error.fields.email).toMatch(/^Email is too long: 101 bytes, and the limit is 100/);
  });

  it('email: refuses a huge pathological address by length, before any pattern runs', async () => {
    const res = await expectNothingStored(() => postJson({ ...valid(), email: `a@${'.'.repeat(30_000)}@` }));
    expect(res.status).toBe(422);
    expect(res.body.error.fields.email).toMatch(/^Email is too long: 30,003 bytes/);
  });

  it('website: accepts 200 bytes and refuses 201', async () => {
    const at200 = `https://example.com/${'p'.repeat(200 - 'https://example.com/'.length)}`;
    expect((await postJson({ ...valid(), url: at200 })).status).toBe(201);
    const over = await expectNothingStored(() => postJson({ ...valid(), url: `${at200}p` }));
    expect(over.body.error.fields.url).toMatch(/^Website is too long: 201 bytes/);
  });

  it('admits the longest legal comment in a 3-byte script through the urlencoded form (~196 KB)', async () => {
    const longest = '語'.repeat(Math.floor(65_525 / 3)) + 'ab';
    expect(Buffer.byteLength(longest)).toBe(65_525);
    const body = formBody({ ...valid(), comment: longest });
    expect(body.length).toBeGreaterThan(190_000);
    const res = await postForm(body);
    expect(res.status).toBe(303);
  });

  it('answers a body over the limit with 413 and a clear page', async () => {
    const res = await expectNothingStored(() => postForm(formBody({ ...valid(), comment: 'x'.repeat(300 * 1024) })));
    expect(res.status).toBe(413);
    expect(res.text).toContain('That is more than this site accepts in one request (256 KB).');
  });
});

describe('normalisation', () => {
  it('strips control characters, keeps newlines and tabs in the comment, and stores NFC', async () => {
    const res = await postJson({
      ...valid(),
      comment: 'line one\r\nline\u0000 two\u0007\tend\u009b',
      author: 'Zoe\u0301\r\nBcc: x@example.com',
    });
    expect(res.status).toBe(201);
    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: res.body.comment.id } });
    expect(stored.text).toBe('line one\nline two\tend');
    expect(stored.authorName).toBe('Zoé Bcc: x@example.com');
    expect(stored.authorName.normalize('NFC')).toBe(stored.authorName);
  });

  it('adds https:// to a bare website and lower-cases the email', async () => {
    const res = await postJson({ ...valid(), email: 'Bo@Example.COM', url: 'Example.org/path' });
    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: res.body.comment.id } });
    expect(stored.authorUrl).toBe('https://example.org/path');
    expect(stored.authorEmail).toBe('bo@example.com');
  });

  it('keeps invalid UTF-8 sent percent-encoded as the literal text it is', async () => {
    const res = await postForm('comment=bad%ED%A0%80bytes&author=Bo&email=bo%40example.com');
    expect(res.status).toBe(303);
    const id = commentIdIn(res.headers.location);
    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id } });
    expect(stored.text.isWellFormed()).toBe(true);
  });

  it('ignores server-owned fields sent by the client', async () => {
    const res = await postJson({ ...valid(), status: 'approved', ipAddress: '1.2.3.4', id: 1, postId: 999 });
    expect(res.status).toBe(201);
    const stored = await ctx.db.comment.findUniqueOrThrow({ where: { id: res.body.comment.id } });
    expect(stored.status).toBe('pending');
    expect(stored.ipAddress).not.toBe('1.2.3.4');
  });
});
