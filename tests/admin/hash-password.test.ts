import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { hashPassword, verifyPassword } from '../../src/admin/password';

const cli = path.resolve(__dirname, '..', '..', 'dist', 'admin', 'hash-password-cli.js');

describe('npm run -s admin:hash-password', () => {
  it('reads the password from standard input and prints one line: a hash the server accepts', async () => {
    const result = spawnSync(process.execPath, [cli], { input: 'a long enough passphrase\n', encoding: 'utf8' });
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const hash = lines[0]!;
    expect(hash).toMatch(/^scrypt\$N=32768,r=8,p=3\$/);
    expect(result.stdout).not.toContain('a long enough passphrase');
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
