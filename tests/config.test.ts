import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({}, '/srv/blog');
    expect(config).toMatchObject({
      PORT: 3000,
      DATABASE_URL: 'file:./data/marginalia.db',
      database: { engine: 'sqlite', file: '/srv/blog/data/marginalia.db' },
      MODERATION_MODE: 'hold',
      COMMENT_RATE_LIMIT: 5,
      COMMENT_RATE_WINDOW_SECONDS: 60,
      TRUST_PROXY: false,
      DB_BUSY_TIMEOUT_MS: 5000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be a whole number between 0 and 65535 (got "abc")'],
    [{ PORT: '70000' }, 'Invalid configuration: PORT must be a whole number between 0 and 65535 (got "70000")'],
    [
      { TIME_ZONE: 'Lisbon' },
      'Invalid configuration: TIME_ZONE must be a time zone of the IANA database, such as Europe/Lisbon, America/New_York or UTC (got "Lisbon")',
    ],
    [
      { MODERATION_MODE: 'later' },
      'Invalid configuration: MODERATION_MODE must be "hold" (new comments wait for a moderator), "known" (approve authors with an approved comment) or "approve" (got "later")',
    ],
    [
      { ADMIN_PASSWORD_HASH: 'hunter2' },
      'Invalid configuration: ADMIN_PASSWORD_HASH must be a hash printed by `npm run -s admin:hash-password`',
    ],
    [
      { DATABASE_URL: 'mysql://x' },
      'Invalid configuration: DATABASE_URL must be an SQLite file URL such as file:./data/marginalia.db, or a PostgreSQL URL such as postgresql://user:password@host:5432/blog (got "mysql://x")',
    ],
    [
      { COMMENT_RATE_LIMIT: '0' },
      'Invalid configuration: COMMENT_RATE_LIMIT must be a whole number between 1 and 1000000 (got "0")',
    ],
  ])('stops on a bad value with one line naming the variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it.each([
    [
      { PUBLIC_URL: 'blog.example' },
      'Invalid configuration: PUBLIC_URL must be the site\'s absolute address, such as https://blog.example (got "blog.example")',
    ],
    [{ PUBLIC_URL: 'https://blog.example/?x=1' }, 'Invalid configuration: PUBLIC_URL must be'],
    [
      { SMTP_URL: 'http://mail.example' },
      'Invalid configuration: SMTP_URL must be an SMTP server such as smtp://user:password@host:587',
    ],
    [
      { MAIL_FROM: 'Blog <not an address>' },
      'Invalid configuration: MAIL_FROM must be an address such as "Blog name" <comments@blog.example>',
    ],
    [
      { WEBHOOK_URL: 'ftp://hooks.example' },
      'Invalid configuration: WEBHOOK_URL must be an http:// or https:// address',
    ],
    [
      { WEBHOOK_URL: 'https://user:pw@hooks.example/x' },
      'Invalid configuration: WEBHOOK_URL must not hold a user name or password (the signature proves the calls are ours) (got "https://user:***@hooks.example/x")',
    ],
    [
      { NOTIFY_INTERVAL_SECONDS: '0' },
      'Invalid configuration: NOTIFY_INTERVAL_SECONDS must be a whole number between 1 and 3600',
    ],
  ])('stops on a bad mail or webhook setting, naming it: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("takes mail settings, and never repeats the moderators' addresses or an SMTP password in a message", () => {
    const config = loadConfig({
      PUBLIC_URL: 'https://blog.example/',
      SMTP_URL: 'smtps://user:pass@smtp.example:465',
      MAIL_FROM: '"Margins Blog" <comments@blog.example>',
      MODERATOR_EMAIL: 'a@blog.example, b@blog.example',
    });
    expect(config).toMatchObject({
      PUBLIC_URL: 'https://blog.example',
      MODERATOR_EMAIL: ['a@blog.example', 'b@blog.example'],
    });
    expect(() => loadConfig({ MODERATOR_EMAIL: 'me@blog.example, nobody' })).toThrow(
      /^Invalid configuration: MODERATOR_EMAIL must be one or more email addresses, separated by commas$/,
    );
    expect(() => loadConfig({ SMTP_URL: 'smtp://user:pass@smtp.example:587/x/y' })).toThrow(/\*\*\*@smtp\.example/);
    expect(() => loadConfig({ SMTP_URL: 'smtp://user:pass@smtp.example:587/x/y' })).not.toThrow(/pass@/);
  });

  it('refuses a webhook address without the secret that signs its calls', () => {
    expect(() => loadConfig({ WEBHOOK_URL: 'https://hooks.example/x' })).toThrow(
      /^Invalid configuration: WEBHOOK_SECRET must be set when WEBHOOK_URL is/,
    );
  });

  it('refuses TRUST_PROXY=true, which would let clients spoof their IP', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/^Invalid configuration: TRUST_PROXY must not be "true"/);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.1' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.1']);
  });

  it('never echoes a secret in its message', () => {
    expect(() => loadConfig({ COOKIE_SECRET: 'short-secret-value' })).toThrow(
      'Invalid configuration: COOKIE_SECRET must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)',
    );
  });

  it('resolves relative database paths against the working folder, so each server has its own file', () => {
    expect(loadConfig({ DATABASE_URL: 'file:one.db' }, '/a').database).toEqual({ engine: 'sqlite', file: '/a/one.db' });
    expect(loadConfig({ DATABASE_URL: 'file:/var/lib/m.db' }, '/a').database).toEqual({
      engine: 'sqlite',
      file: '/var/lib/m.db',
    });
  });

  it('takes a PostgreSQL URL, and never shows the password of one it refuses', () => {
    const url = 'postgresql://blog:s3cret@db.internal:5432/blog';
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ engine: 'postgres', url });
    expect(loadConfig({ DATABASE_URL: 'postgres://db.internal/blog' }).database.engine).toBe('postgres');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://blog:s3cret@db.internal/blog' })).toThrow(
      'Invalid configuration: DATABASE_URL must be an SQLite file URL such as file:./data/marginalia.db, or a PostgreSQL URL such as postgresql://user:password@host:5432/blog (got "mysql://blog:***@db.internal/blog")',
    );
  });
});

describe('configuration documentation', () => {
  const root = path.resolve(__dirname, '..');
  it.each(Object.keys(configSchema.shape))('documents %s in .env.example and docs/CONFIGURATION.md', (key) => {
    expect(readFileSync(path.join(root, '.env.example'), 'utf8')).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
    expect(readFileSync(path.join(root, 'docs', 'CONFIGURATION.md'), 'utf8')).toContain(`\`${key}\``);
  });
});
