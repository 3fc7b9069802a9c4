import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { loadConfig } from '../../src/config';
import { hashPassword, verifyPassword } from '../../src/admin/password';

const cli = path.resolve(__dirname, '..', '..', 'dist', 'admin', 'hash-password-cli.js');

describe('npm run -s admin:hash-password', () => {
  it('reads the password from standard input and prints one line, quoted, ready for .env or a shell', async () => {
    const result = spawnSync(process.execPath, [cli], { input: 'a long enough passphrase\n', encoding: 'utf8' });
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ADMIN_PASSWORD_HASH='scrypt\$N=32768,r=8,p=3\$[^']+'$/);
    expect(result.stdout).not.toContain('a long enough passphrase');
    // Pasted into a .env file as printed, it reads back as the hash; the hash verifies.
    const hash = parseEnv(lines[0]!).ADMIN_PASSWORD_HASH!;
    expect(hash).toMatch(/^scrypt\$N=32768,r=8,p=3\$/);
    expect(await verifyPassword('a long enough passphrase', hash)).toBe(true);
    expect(await verifyPassword('a long enough passphrasE', hash)).toBe(false);
    expect(loadConfig({ ADMIN_USER: 'me', ADMIN_PASSWORD_HASH: hash }).ADMIN_PASSWORD_HASH).toBe(hash);
  });

  it('refuses a short password and prints no hash', () => {
    const result = spawnSync(process.execPath, [cli], { input: 'short\n', encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Please choose a password of at least 12 characters.');
  });

  it('at a terminal, says a password is too short before asking for it a second time', async () => {
    // `script` gives the command a terminal of its own, as a person typing would have.
    const child = spawn('script', ['-qec', `${process.execPath} ${cli}`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Password:') && !output.includes('typed')) {
        output += 'typed';
        child.stdin.write('short\r');
      }
      // Asked again (it should not be): answer, so the test fails on what it checks, not by waiting.
      if (output.includes('The same password again') && !output.includes('again typed')) {
        output += 'again typed';
        child.stdin.write('short\r');
      }
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(output).toContain('Please choose a password of at least 12 characters.');
    expect(output).not.toContain('The same password again');
    expect(code).toBe(1);
  });
});

describe('a hash mangled on its way into the environment', () => {
  it('is refused with a message that says what likely happened, and how to quote it', async () => {
    const hash = await hashPassword('a long enough passphrase', { N: 1024, r: 8, p: 1 });
    // What `export ADMIN_PASSWORD_HASH="scrypt$N=…"` leaves: every $name read as an empty variable.
    const mangled = hash.replace(/\$[A-Za-z_][A-Za-z0-9_]*/g, '');
    expect(() => loadConfig({ ADMIN_PASSWORD_HASH: mangled })).toThrow(
      /ADMIN_PASSWORD_HASH has lost its \$ signs: a shell \(or a \.env line read by one\) took \$N and the rest for variables\. Put the value in single quotes/,
    );
    expect(() => loadConfig({ ADMIN_PASSWORD_HASH: 'hunter2' })).toThrow(
      'ADMIN_PASSWORD_HASH must be a hash printed by `npm run -s admin:hash-password`',
    );
  });
});

describe('password hashes', () => {
  it('salt every hash, so the same password never hashes the same twice', async () => {
    const cheap = { N: 1024, r: 8, p: 1 };
    const [a, b] = await Promise.all([hashPassword('same password', cheap), hashPassword('same password', cheap)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', 'scrypt$garbage')).toBe(false);
  });
});
