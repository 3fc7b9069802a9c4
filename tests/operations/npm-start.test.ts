import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// `npm start` as a service manager runs it: SIGTERM (what systemd, containers and pm2 send) stops
// the server itself, not only npm; and a start builds only what changed since the last build.

const root = path.resolve(__dirname, '..', '..');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'marginalia-npm-start-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stops, server and all, on the SIGTERM a service manager sends', async () => {
    const npm = spawn('npm', ['start'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: '0', DATABASE_URL: `file:${path.join(dir, 'blog.db')}`, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const serverPid = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no server started:\n${output}`)), 30_000);
      npm.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((text) => text.includes('marginalia is serving'));
        if (!line) return;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { pid: number }).pid);
      });
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });
    try {
      expect(serverPid).not.toBe(npm.pid);
      npm.kill('SIGTERM');
      expect(await new Promise((resolve) => npm.on('exit', (code) => resolve(code)))).toBe(0);
      // The server had finished its own shutdown by the time npm reported.
      expect(output).toContain('"msg":"stopped"');
      expect(isRunning(serverPid)).toBe(false);
    } finally {
      if (isRunning(serverPid)) process.kill(serverPid, 'SIGKILL');
    }
  });
});

describe('building only when the source changed', () => {
  it('needs a build with none yet, not after one, and again once a source file is newer', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is plain CommonJS
    const { needsBuild } = require(path.join(root, 'scripts', 'build-if-changed.cjs')) as {
      needsBuild: (dir: string) => boolean;
    };
    const project = mkdtempSync(path.join(tmpdir(), 'marginalia-build-'));
    try {
      mkdirSync(path.join(project, 'src', 'nested'), { recursive: true });
      writeFileSync(path.join(project, 'tsconfig.json'), '{}');
      const source = path.join(project, 'src', 'nested', 'a.ts');
      writeFileSync(source, 'export {};');
      const earlier = new Date(Date.now() - 60_000);
      utimesSync(source, earlier, earlier);
      utimesSync(path.join(project, 'tsconfig.json'), earlier, earlier);
      expect(needsBuild(project)).toBe(true);
      mkdirSync(path.join(project, 'dist'));
      writeFileSync(path.join(project, 'dist', '.built'), '');
      expect(needsBuild(project)).toBe(false);
      const later = new Date(Date.now() + 60_000);
      utimesSync(source, later, later);
      expect(needsBuild(project)).toBe(true);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
