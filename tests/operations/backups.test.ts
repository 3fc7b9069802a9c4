import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startServer, type RunningServer } from '../helpers/server-process';

// Backups while the server runs (`npm run backup -- <file>`, a read-only connection's VACUUM INTO
// plus an integrity check), restoring by starting a server on the copy, and automatic backups.

const backupCli = path.resolve(__dirname, '..', '..', 'dist', 'backups', 'backup-cli.js');
const settings = {
  COMMENT_RATE_LIMIT: '100000',
  COMMENT_FLOOD_SECONDS: '0',
  COMMENT_MIN_SECONDS: '0',
  MODERATION_MODE: 'approve',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'marginalia-backup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runBackup(databaseFile: string, target: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [backupCli, target], {
    cwd: dir,
    env: { PATH: process.env.PATH, DATABASE_URL: `file:${databaseFile}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

async function postComment(server: RunningServer, text: string): Promise<boolean> {
  const res = await fetch(`${server.url}/api/posts/welcome-to-the-margins/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ comment: text, author: 'Backer', email: `${text.replace(/\W/g, '')}@example.com` }),
  });
  return res.status === 201;
}

it('npm run backup writes a checked copy while comments keep arriving; a server started on the copy has every comment acknowledged before it began', async () => {
  const databaseFile = path.join(dir, 'live.db');
  const server = await startServer(dir, { DATABASE_URL: `file:${databaseFile}`, ...settings });
  const acknowledgedBefore: string[] = [];
  let writing = true;
  let during = 0;
  try {
    for (let i = 0; i < 30; i += 1)
      if (await postComment(server, `Before the backup ${i}`)) acknowledgedBefore.push(`Before the backup ${i}`);
    const writer = (async () => {
      while (writing) if (await postComment(server, `During the backup ${during++}`)) continue;
    })();
    const target = path.join(dir, 'copies', 'blog.db');
    mkdirSync(path.dirname(target));
    const backup = await runBackup(databaseFile, target);
    writing = false;
    await writer;
    expect(backup.output).toMatch(
      /^Backed up .*live\.db to .*blog\.db: (\d+ KB|\d+\.\d MB) in \d+ ms, integrity check ok\.\n$/,
    );
    expect(backup.code).toBe(0);
    expect(during).toBeGreaterThan(0);
    expect(existsSync(`${target}.partial`)).toBe(false);

    const again = await runBackup(databaseFile, target);
    expect(again.code).toBe(1);
    expect(again.output).toContain('already exists; choose a new file name');

    // Restore: a server started on the copy.
    const restored = await startServer(dir, { DATABASE_URL: `file:${target}`, ...settings });
    try {
      const listed = (await (await fetch(`${restored.url}/api/posts/welcome-to-the-margins/comments`)).json()) as {
        comments: { text: string }[];
      };
      const texts = listed.comments.map((comment) => comment.text);
      expect(texts).toEqual(expect.arrayContaining(acknowledgedBefore));
      expect(acknowledgedBefore).toHaveLength(30);
    } finally {
      expect(await restored.stop()).toBe(0);
    }
  } finally {
    writing = false;
    await server.stop();
  }
});

it('makes the folder a backup is asked into, readable by its owner only', async () => {
  const databaseFile = path.join(dir, 'folder-test.db');
  const db = new Database(databaseFile);
  db.exec('CREATE TABLE note (text TEXT)');
  db.close();
  const target = path.join(dir, 'backups', 'monthly', 'blog.db');
  const run = await runBackup(databaseFile, target);
  expect(run.output).not.toContain('.partial');
  expect(run.code).toBe(0);
  expect(existsSync(target)).toBe(true);
  expect((statSync(path.join(dir, 'backups')).mode & 0o777).toString(8)).toBe('700');
});

it('says how to use it, and refuses a database that is not there', async () => {
  const usage = spawn(process.execPath, [backupCli], {
    cwd: dir,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  usage.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  expect(await new Promise((resolve) => usage.on('exit', resolve))).toBe(2);
  expect(stderr).toContain('Usage: npm run backup -- <file>');
  const missing = await runBackup(path.join(dir, 'nothing-here.db'), path.join(dir, 'copy.db'));
  expect(missing.code).toBe(1);
  expect(missing.output).toContain('There is no database at');
  expect(existsSync(path.join(dir, 'nothing-here.db'))).toBe(false);
});

it('BACKUP_DIR: backs up at start when the newest backup is older than the interval, and keeps BACKUP_KEEP', async () => {
  const backupDir = path.join(dir, 'backups');
  mkdirSync(backupDir);
  const old = [
    'marginalia-2026-01-01T00-00-00Z.db',
    'marginalia-2026-01-02T00-00-00Z.db',
    'marginalia-2026-01-03T00-00-00Z.db',
  ];
  for (const name of old) writeFileSync(path.join(backupDir, name), 'an old backup');
  writeFileSync(path.join(backupDir, 'notes.txt'), 'not a backup: never touched');
  const server = await startServer(dir, {
    DATABASE_URL: `file:${path.join(dir, 'auto.db')}`,
    BACKUP_DIR: './backups',
    BACKUP_KEEP: '2',
  });
  try {
    const deadline = Date.now() + 15_000;
    while (!server.output().includes('integrity check ok') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.output()).toContain('integrity check ok');
    const names = readdirSync(backupDir).sort();
    expect(names).toHaveLength(3);
    expect(names).toContain('notes.txt');
    expect(names).toContain(old[2]);
    const made = names.find((name) => !old.includes(name) && name !== 'notes.txt')!;
    expect(made).toMatch(/^marginalia-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.db$/);
    const copy = new Database(path.join(backupDir, made), { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT title FROM Post').all()).toEqual([{ title: 'Welcome to the margins' }]);
    copy.close();
  } finally {
    expect(await server.stop()).toBe(0);
  }
});

it('BACKUP_DIR that cannot be made: the failure is logged, and the server goes on serving', async () => {
  writeFileSync(path.join(dir, 'in-the-way'), 'a file where the backup folder should be');
  const server = await startServer(dir, {
    DATABASE_URL: `file:${path.join(dir, 'auto.db')}`,
    BACKUP_DIR: './in-the-way/backups',
  });
  try {
    const deadline = Date.now() + 15_000;
    while (!server.output().includes('automatic backup failed') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.output()).toContain('automatic backup failed');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  } finally {
    expect(await server.stop()).toBe(0);
  }
});
