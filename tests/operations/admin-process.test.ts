import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiToken, csrfTokenIn, moderatorEnv, moderatorPassword } from '../helpers/moderator';
import { startServer, type RunningServer } from '../helpers/server-process';

// The admin area against the built server, as a browser meets it: signing in and going straight
// on; uploads that multer refuses (a second file, another file field, too many fields), each a 400
// with a message while the server goes on; and on the session route, the sign-in and the CSRF
// check before any of an upload is read.

let dir: string;
let server: RunningServer;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-admin-'));
  server = await startServer(dir, {
    DATABASE_URL: `file:${path.join(dir, 'blog.db')}`,
    ...(moderatorEnv as Record<string, string>),
  });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const refusedShapes: [string, (form: FormData) => void][] = [
  ['two file parts', (form) => form.append('file', new Blob(['{}\n']), 'second.jsonl')],
  ['a file and another file field', (form) => form.append('attachment', new Blob(['x']), 'other.txt')],
  ['a file and 21 more fields', (form) => Array.from({ length: 21 }, (_, i) => form.append(`field${i}`, 'x'))],
];

function upload(extra: (form: FormData) => void, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries({ format: 'json', ...fields })) form.append(name, value);
  form.append('file', new Blob(['{"format":"marginalia","version":1,"origin":"x"}\n']), 'export.jsonl');
  extra(form);
  return form;
}

/** A moderator's session cookie and the import form's CSRF token, as a browser would get them. */
async function signIn(): Promise<{ cookie: string; importForm: string }> {
  const login = await fetch(`${server.url}/admin/login`);
  const preCookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const signedIn = await fetch(`${server.url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: preCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      _csrf: csrfTokenIn(await login.text()),
      username: 'editor',
      password: moderatorPassword,
    }),
  });
  expect(signedIn.status).toBe(303);
  const cookie = signedIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const importForm = await (await fetch(`${server.url}/admin/import`, { headers: { cookie } })).text();
  return { cookie, importForm };
}

/** The address the import form posts to. */
function formAction(html: string): string {
  const action = /<form[^>]*action="([^"]+)"[^>]*enctype="multipart\/form-data"/.exec(html)?.[1];
  if (!action) throw new Error('no upload form on the page');
  return action.replaceAll('&amp;', '&');
}

async function expectAlive(): Promise<void> {
  const health = await fetch(`${server.url}/healthz`);
  expect(health.status).toBe(200);
}

describe('signing in', () => {
  it('lets a moderator who follows the redirect at once straight in, every time', async () => {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const { importForm } = await signIn();
      expect(importForm).toContain('<h1>Import</h1>');
    }
  });
});

describe('POST /admin/api/imports', () => {
  it.each(refusedShapes)('answers %s with a 400 and a clear message, and keeps running', async (_shape, extra) => {
    const res = await fetch(`${server.url}/admin/api/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}` },
      body: upload(extra),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'one file, in a field named "file"',
    );
    await expectAlive();
  });
});

describe('POST /admin/import', () => {
  it.each(refusedShapes)('answers %s with a 400 and the form again, and keeps running', async (_shape, extra) => {
    const { cookie, importForm } = await signIn();
    const res = await fetch(`${server.url}${formAction(importForm)}`, {
      method: 'POST',
      headers: { cookie, origin: server.url },
      body: upload(extra, { _csrf: csrfTokenIn(importForm) }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('one file, in a field named &quot;file&quot;');
    await expectAlive();
  });

  /** Sends an upload's headers and the start of its body, never the rest: an answer can only come from checks made before the body is read. */
  function answerBeforeTheBody(target: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const boundary = 'x-unfinished-upload';
      const req = httpRequest(`${server.url}${target}`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': '100000000',
        },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n\r\n`);
      req.write('x'.repeat(64 * 1024));
    });
  }

  it('turns away someone not signed in before reading the upload', async () => {
    expect(await answerBeforeTheBody('/admin/import', {})).toBe(303);
  });

  it('refuses a moderator’s upload without an Origin, or from another site, before reading it', async () => {
    const { cookie, importForm } = await signIn();
    expect(await answerBeforeTheBody('/admin/import', { cookie })).toBe(403);
    expect(await answerBeforeTheBody(formAction(importForm), { cookie, origin: 'https://elsewhere.example' })).toBe(
      403,
    );
    await expectAlive();
  });

  it('keeps the CSRF token out of the form’s address, and refuses an upload without it', async () => {
    const { cookie, importForm } = await signIn();
    expect(formAction(importForm)).toBe('/admin/import');
    const res = await fetch(`${server.url}/admin/import`, {
      method: 'POST',
      headers: { cookie, origin: server.url },
      body: upload(() => undefined),
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form has expired or did not come from this site.');
  });

  it.each([
    ['no boundary', 'multipart/form-data', 'x'],
    [
      'a body cut off before its last boundary',
      'multipart/form-data; boundary=XX',
      '--XX\r\nContent-Disposition: form-data; name="format"\r\n\r\njs',
    ],
  ])('answers a malformed upload (%s) with a 400, not a server error', async (_case, contentType, body) => {
    const res = await fetch(`${server.url}/admin/api/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': contentType },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'one file, in a field named "file"',
    );
    await expectAlive();
  });
});
