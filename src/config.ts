import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { DatabaseLocation } from './shared/database-location';
import { embedOriginsField } from './blog-settings/blog-settings';

// Every setting marginalia reads, with its default. `.env.example` and docs/CONFIGURATION.md list the same
// variables; a test keeps the three in step.

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number between ${min} and ${max}` })
    .int(`must be a whole number between ${min} and ${max}`)
    .min(min, `must be a whole number between ${min} and ${max}`)
    .max(max, `must be a whole number between ${min} and ${max}`);

const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): false | number | string[] => {
    if (value === '' || value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    if (value === 'true') {
      ctx.addIssue({
        code: 'custom',
        message:
          'must not be "true": that lets any client choose its own IP address with X-Forwarded-For; ' +
          'give the number of proxies in front of the server (e.g. 1) or their addresses',
      });
      return z.NEVER;
    }
    return value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  });

/** An email address as a mail server takes one: no spaces, no angle brackets, one @, a dotted domain. */
const emailAddress = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** An address, alone or with a display name: comments@blog.example, "Blog" <comments@blog.example>. */
const mailbox = (message: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      const named = /^(?:"[^"\r\n]*"|[^"<>\r\n]*?)\s*<([^<>\s]+)>$/.exec(value);
      return emailAddress.test(named ? named[1]! : value);
    }, message);

export const configSchema = z.object({
  PORT: integer(0, 65535).default(3000).describe('TCP port the server listens on'),
  HOST: z.string().trim().optional().describe('Address to listen on; unset means every interface'),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(
      /^(?:file:.+|postgres(?:ql)?:\/\/.+)$/,
      'must be an SQLite file URL such as file:./data/marginalia.db, or a PostgreSQL URL such as postgresql://user:password@host:5432/blog',
    )
    .default('file:./data/marginalia.db')
    .describe('SQLite file (created and migrated at start) or PostgreSQL database (migrated at start)'),
  DB_BUSY_TIMEOUT_MS: integer(0, 600_000)
    .default(5000)
    .describe('How long a write waits for a lock held by another connection'),
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('production')
    .describe('development re-reads templates on every request'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SITE_TITLE: z.string().trim().min(1, 'must not be empty').max(200).default('marginalia'),
  SITE_TAGLINE: z.string().trim().max(300).default('Notes, and the conversations in their margins'),
  TIME_ZONE: z
    .string()
    .trim()
    .default('UTC')
    .refine((zone) => IANAZone.isValidZone(zone), {
      error: 'must be a time zone of the IANA database, such as Europe/Lisbon, America/New_York or UTC',
    })
    .describe("The site's time zone: dates on its pages, and the times the post editor reads"),
  MODERATION_MODE: z
    .enum(['hold', 'known', 'approve'], {
      error:
        'must be "hold" (new comments wait for a moderator), "known" (approve authors with an approved comment) or "approve"',
    })
    .default('hold')
    .describe('Default moderation mode until one is saved in /admin/settings'),
  MODERATION_MAX_LINKS: integer(0, 1000)
    .default(2)
    .describe('Hold comments with more links than this (default until saved in settings)'),
  CLOSE_COMMENTS_AFTER_DAYS: integer(0, 100_000)
    .default(0)
    .describe('Close comments on older posts; 0 = never (default until saved)'),
  COMMENT_RATE_LIMIT: integer(1, 1_000_000).default(5).describe('Comment submissions allowed per client IP per window'),
  COMMENT_RATE_WINDOW_SECONDS: integer(1, 86_400).default(60),
  COMMENT_FLOOD_SECONDS: integer(0, 86_400)
    .default(15)
    .describe('After a comment, the same sender (network or browser) must wait this long; 0 = off'),
  COMMENT_MIN_SECONDS: integer(0, 3600)
    .default(2)
    .describe('A form sent sooner than this after it was served is held as likely spam'),
  COMMENT_FORM_MAX_AGE_HOURS: integer(1, 24 * 365)
    .default(24)
    .describe('An older form is shown again, asking to post once more'),
  COMMENT_EDIT_WINDOW_MINUTES: integer(0, 7 * 24 * 60)
    .default(15)
    .describe('How long commenters may edit or delete their own comment; 0 = never'),
  COMMENTS_PER_PAGE: integer(1, 1000).default(50).describe('Top-level comments per page under a post'),
  EMBED_ORIGINS: embedOriginsField
    .default([])
    .describe('Sites whose pages may embed comment threads (embed.js), comma-separated: https://blog.example'),
  COMMENT_THREAD_DEPTH: integer(1, 20)
    .default(5)
    .describe('Deepest reply level shown; deeper replies attach at the last level'),
  PAGE_CACHE: z
    .enum(['on', 'off'], { error: 'must be "on" or "off"' })
    .default('on')
    .describe('Keep rendered public pages in memory'),
  PAGE_CACHE_MAX_MB: integer(1, 4096).default(32).describe('Memory the page cache may use'),
  TRUST_PROXY: trustProxy.default(false).describe('Proxies in front of the server: a hop count or addresses'),
  ADMIN_USER: z
    .string()
    .trim()
    .min(1)
    .max(100, 'must be at most 100 characters')
    .optional()
    .describe("The moderator's user name"),
  IP_RETENTION_DAYS: integer(0, 36_500)
    .default(30)
    .describe('Days a comment keeps its IP address and user agent (0 stores none at all)'),
  MEDIA_MAX_MB: integer(1, 100).default(10).describe('The largest image the post editor and the API accept, in MB'),
  DISPLAY_NAME: z
    .string()
    .trim()
    .min(1)
    .max(100, 'must be at most 100 characters')
    .optional()
    .describe("The name the author's replies to comments carry (with an Author badge); unset = ADMIN_USER"),
  ADMIN_PASSWORD_HASH: z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      if (/^scrypt\$N=\d+,r=\d+,p=\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(value)) return;
      // A shell, or a .env line it reads, turns "$N=…" and "$<salt>" into empty variables.
      const lostItsDollars = /^scrypt/.test(value) && (value.match(/\$/g) ?? []).length < 3;
      ctx.addIssue({
        code: 'custom',
        message: lostItsDollars
          ? "has lost its $ signs: a shell (or a .env line read by one) took $N and the rest for variables. Put the value in single quotes, as `npm run -s admin:hash-password` prints it: ADMIN_PASSWORD_HASH='scrypt$N=…'"
          : 'must be a hash printed by `npm run -s admin:hash-password`',
      });
    })
    .optional(),
  ADMIN_API_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)')
    .optional(),
  ADMIN_SESSION_IDLE_MINUTES: integer(1, 7 * 24 * 60)
    .default(60)
    .describe('A moderator session ends after this long without a request'),
  LOGIN_RATE_LIMIT: integer(1, 1_000_000).default(10).describe('Sign-in attempts allowed per client IP per window'),
  LOGIN_RATE_WINDOW_SECONDS: integer(1, 86_400).default(900),
  LOGIN_SITE_RATE_LIMIT: integer(1, 1_000_000)
    .default(100)
    .describe(
      'Wrong passwords allowed from all addresses together per window (browsers that signed in before are exempt)',
    ),
  SESSION_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)')
    .optional()
    .describe('Signs moderator session cookies; generated and kept in the database when unset'),
  COOKIE_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)')
    .optional()
    .describe('Signs commenter cookies; generated and kept in the database when unset'),
  BACKUP_DIR: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('Folder for automatic backups; unset = no automatic backups'),
  BACKUP_KEEP: integer(1, 10_000).default(7).describe('How many automatic backups to keep (the oldest go first)'),
  BACKUP_INTERVAL_HOURS: integer(1, 24 * 365)
    .default(24)
    .describe('Hours between automatic backups'),
  PUBLIC_URL: z
    .string()
    .trim()
    .transform((value, ctx) => {
      const url = URL.canParse(value) ? new URL(value) : null;
      if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash || url.username) {
        ctx.addIssue({ code: 'custom', message: "must be the site's absolute address, such as https://blog.example" });
        return z.NEVER;
      }
      return url.href.replace(/\/+$/, '');
    })
    .optional()
    .describe("The site's absolute address, for links in mail, webhooks and feeds; unset = no mail"),
  SMTP_URL: z
    .string()
    .trim()
    .regex(
      /^smtps?:\/\/[^/]+\/?$/,
      'must be an SMTP server such as smtp://user:password@host:587 or smtps://user:password@host:465',
    )
    .optional()
    .describe('The mail server (STARTTLS when offered); unset = no mail'),
  MAIL_FROM: mailbox('must be an address such as "Blog name" <comments@blog.example>')
    .optional()
    .describe('Sender of every mail'),
  MODERATOR_EMAIL: z
    .string()
    .trim()
    .transform((value, ctx) => {
      const addresses = value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      if (addresses.length === 0 || !addresses.every((address) => emailAddress.test(address))) {
        ctx.addIssue({ code: 'custom', message: 'must be one or more email addresses, separated by commas' });
        return z.NEVER;
      }
      return addresses;
    })
    .optional()
    .describe('Who hears about new comments (comma-separated)'),
  NOTIFY_INTERVAL_SECONDS: integer(1, 3600)
    .default(2)
    .describe('How often the server looks for mail and webhook calls to send'),
  WEBHOOK_URL: z
    .string()
    .trim()
    .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// address')
    .refine(
      (value) => !URL.canParse(value) || (!new URL(value).username && !new URL(value).password),
      'must not hold a user name or password (the signature proves the calls are ours)',
    )
    .optional()
    .describe('Receives a signed JSON POST for each comment event (until one is saved in /admin/settings)'),
  WEBHOOK_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. the output of `openssl rand -hex 32`)')
    .optional()
    .describe('Signs webhook calls (until one is saved in /admin/settings)'),
});

export type ConfigInput = Record<string, string | undefined>;

/** The validated, typed settings the rest of the app receives. */
export type Config = Readonly<
  Omit<z.infer<typeof configSchema>, 'DATABASE_URL'> & {
    /** The database named by DATABASE_URL; an SQLite file's path made absolute. */
    database: DatabaseLocation;
    DATABASE_URL: string;
    /** Absolute path of BACKUP_DIR, when set. */
    backupDir: string | null;
  }
>;

/** A bad setting: its message is one line naming the variable, suitable for the console. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

// Values never repeated in a message: secrets, and the moderators' own addresses.
const hiddenKeys = new Set([
  'COOKIE_SECRET',
  'SESSION_SECRET',
  'ADMIN_API_TOKEN',
  'ADMIN_PASSWORD_HASH',
  'WEBHOOK_SECRET',
  'MODERATOR_EMAIL',
]);

/** A URL's password (user:password@host) hidden, for messages. */
function withoutPassword(value: string | undefined): string | undefined {
  return value?.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@');
}

/**
 * Validates the environment into a frozen Config. Relative database paths are resolved
 * against `cwd`, so two servers started from one folder with different DATABASE_URLs never share a file.
 */
export function loadConfig(env: ConfigInput, cwd = process.cwd()): Config {
  const relevant = Object.fromEntries(
    Object.keys(configSchema.shape).map((key) => [
      key,
      env[key] === '' && key !== 'TRUST_PROXY' ? undefined : env[key],
    ]),
  );
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    const shown = hiddenKeys.has(key) ? '' : ` (got ${JSON.stringify(withoutPassword(env[key]))})`;
    throw new ConfigError(`Invalid configuration: ${key} ${issue.message}${shown}`);
  }
  if (parsed.data.WEBHOOK_URL && !parsed.data.WEBHOOK_SECRET)
    throw new ConfigError(
      'Invalid configuration: WEBHOOK_SECRET must be set when WEBHOOK_URL is (it signs every call; e.g. the output of `openssl rand -hex 32`)',
    );
  const url = parsed.data.DATABASE_URL;
  const database: DatabaseLocation = url.startsWith('file:')
    ? { engine: 'sqlite', file: path.resolve(cwd, url.slice('file:'.length)) }
    : { engine: 'postgres', url };
  const backupDir = parsed.data.BACKUP_DIR ? path.resolve(cwd, parsed.data.BACKUP_DIR) : null;
  return Object.freeze({ ...parsed.data, database, backupDir });
}

/** The environment, with values from an optional .env file (in the working folder) where the environment has none. */
export function readEnvironment(): ConfigInput {
  const envFile = path.resolve('.env');
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}
