import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './nginx';

// A PostgreSQL server a test controls (to stop and start it under load): Debian's binaries run as
// the `postgres` user (initdb refuses root), in a temp folder, on a free loopback port.

const binDir = (): string => {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return path.join('/usr/lib/postgresql', versions[0]!, 'bin');
};

export interface PostgresCluster {
  url(database: string): string;
  start(): Promise<void>;
  /** A fast, clean stop (SIGINT): open connections are ended. */
  stop(): Promise<void>;
  remove(): Promise<void>;
}

export async function createPostgresCluster(): Promise<PostgresCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'marginalia-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const asPostgres = (program: string, args: string[]) =>
    ['-u', 'postgres', '--', path.join(binDir(), program), ...args] as const;
  execFileSync('runuser', [...asPostgres('initdb', ['-D', `${dir}/data`, '-A', 'trust', '-U', 'postgres'])], {
    stdio: 'ignore',
  });
  let server: ChildProcess | null = null;
  const cluster: PostgresCluster = {
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      server = spawn(
        'runuser',
        [
          ...asPostgres('postgres', [
            '-D',
            `${dir}/data`,
            '-p',
            String(port),
            '-k',
            dir,
            '-c',
            'listen_addresses=127.0.0.1',
            '-c',
            'fsync=on',
          ]),
        ],
        { stdio: 'ignore' },
      );
      for (let tries = 0; tries < 100; tries += 1) {
        try {
          execFileSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(port)]);
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      throw new Error('PostgreSQL did not start');
    },
    async stop() {
      const running = server;
      server = null;
      if (!running) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      const postmaster = Number(readFileSync(`${dir}/data/postmaster.pid`, 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGINT');
      await exited;
    },
    async remove() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
