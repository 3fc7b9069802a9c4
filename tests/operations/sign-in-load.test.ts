import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashPassword, type ScryptCost } from '../../src/admin/password';
import { csrfTokenIn } from '../helpers/moderator';
import { startServer, type RunningServer } from '../helpers/server-process';

// Fifty wrong passwords at once, from fifty addresses, against the built server: memory stays
// bounded (each check takes tens of MB, so they must not all run at once), every attempt gets an
// answer a person can act on, and everyone else is still served. With a hash made at today's
// default cost, and with one made at the 128 MiB cost hashes had before (which must still work).

let dir: string;
let server: RunningServer;

async function startWithHash(cost: ScryptCost | undefined): Promise<void> {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-sign-in-load-'));
  server = await startServer(dir, {
    DATABASE_URL: `file:${path.join(dir, 'blog.db')}`,
    ADMIN_USER: 'editor',
    ADMIN_PASSWORD_HASH: await hashPassword('the right password, long', cost),
    TRUST_PROXY: 'loopback',
  });
}

afterEach(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The server's resident memory in MB: now (VmRSS), or its peak so far (VmHWM, kept by Linux). */
function rssMb(pid: number, which: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`${which}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** A sign-in form as a browser at `address` gets it: its session cookie and CSRF token. */
async function signInForm(address: string): Promise<{ cookie: string; token: string; address: string }> {
  const page = await fetch(`${server.url}/admin/login`, { headers: { 'x-forwarded-for': address } });
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, token: csrfTokenIn(await page.text()), address };
}

// Today's hash: under 300 MB in all. The earlier hash's checks take 128 MiB each, so they run one
// at a time: the storm may add one check's memory (and some), never two.
it.each([
  ['today’s default cost', undefined, (peak: number) => expect(peak).toBeLessThan(300)],
  [
    'the 128 MiB cost of earlier hashes',
    { N: 2 ** 17, r: 8, p: 1 },
    (peak: number, before: number) => expect(peak - before).toBeLessThan(128 + 48),
  ],
] as const)(
  'holds memory and keeps serving while fifty wrong passwords arrive at once (a hash of %s)',
  async (_cost, cost, expectPeak) => {
    await startWithHash(cost);
    const forms = await Promise.all(Array.from({ length: 50 }, (_, i) => signInForm(`198.51.100.${i + 1}`)));
    const home = await (await fetch(`${server.url}/`)).text();
    const stylesheet = /href="(\/assets\/[^"]+\.css)"/.exec(home)?.[1];
    const before = rssMb(server.child.pid!, 'VmRSS');
    expect(stylesheet).toBeDefined();

    const answered: string[] = [];
    const attempts = forms.map(async ({ cookie, token, address }) => {
      const res = await fetch(`${server.url}/admin/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'x-forwarded-for': address, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: token, username: 'editor', password: `wrong guess ${address}` }),
      });
      answered.push('sign-in');
      return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
    });
    // Sent while the attempts are being checked: a page and an asset, each answered before the last attempt is.
    const others = [fetch(`${server.url}${stylesheet}`), fetch(`${server.url}/`)].map(async (request) => {
      const res = await request;
      answered.push(`other ${res.status}`);
    });
    const results = await Promise.all(attempts);
    await Promise.all(others);

    expect(answered.indexOf('other 200')).toBeLessThan(answered.lastIndexOf('sign-in'));
    expect(answered.filter((entry) => entry === 'other 200')).toHaveLength(2);
    for (const { status, retryAfter, text } of results) {
      expect([401, 429, 503]).toContain(status);
      if (status !== 401) expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(text).toMatch(/The user name or password is incorrect\.|Please (wait|try again)/);
    }
    expect(results.filter((result) => result.status === 401).length).toBeGreaterThan(0);
    expectPeak(rssMb(server.child.pid!, 'VmHWM'), before);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // And the moderator, once the storm has passed, still gets in.
    const { cookie, token } = await signInForm('203.0.113.200');
    const rightOne = await fetch(`${server.url}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'x-forwarded-for': '203.0.113.200', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, username: 'editor', password: 'the right password, long' }),
    });
    expect(rightOne.status).toBe(303);
  },
);
