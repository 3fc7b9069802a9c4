import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Debian's nginx as the load balancer in front of several server processes, on loopback, with a
// private prefix and configuration (no system file touched). .ci/run installs it.

export interface RunningNginx {
  url: string;
  stop(): void;
}

/** A free TCP port on loopback (free when asked; the caller binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** nginx balancing round-robin over the servers on `ports`; resolves once it listens. */
export async function startNginx(ports: number[]): Promise<RunningNginx> {
  const dir = mkdtempSync(path.join(tmpdir(), 'marginalia-nginx-'));
  mkdirSync(path.join(dir, 'tmp'));
  mkdirSync(path.join(dir, 'logs'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `${kind}_temp_path ${dir}/tmp;`)
    .join(' ');
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events {}
http {
  access_log off; ${temp}
  upstream marginalia { ${ports.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join(' ')} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://marginalia;
      proxy_set_header Host $host:$server_port;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout;
    }
  }
}
`,
  );
  execFileSync('/usr/sbin/nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')]);
  return {
    url: `http://127.0.0.1:${port}`,
    stop() {
      try {
        process.kill(Number(readFileSync(path.join(dir, 'nginx.pid'), 'utf8')), 'SIGQUIT');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
