import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Starting on a PostgreSQL URL that cannot work: one line a person can act on, never the password,
// not even the part of one that an unencoded `@` or `/` made look like a host name (found by a
// first-time user).

const start = (databaseUrl: string) =>
  spawnSync(process.execPath, [path.resolve(__dirname, '..', '..', 'dist', 'server.js')], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, PORT: '0' },
    encoding: 'utf8',
    timeout: 20_000,
  });

it('names what is wrong in one line, and shows no part of the password', () => {
  for (const url of [
    'postgresql://blog:Zq@9TOPSECRETpart/xyzSECRET@127.0.0.1:1/blog',
    'postgresql://blog:plainTOPSECRET@127.0.0.1:1/blog',
  ]) {
    const run = start(url);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^marginalia could not start: The PostgreSQL database in DATABASE_URL could not be opened: /,
    );
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/SECRET/);
  }
});
