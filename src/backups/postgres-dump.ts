import { spawn } from 'node:child_process';

/** A PostgreSQL backup that could not be made (pg_dump missing or failing); one line. */
export class PostgresDumpError extends Error {
  override name = 'PostgresDumpError';
}

/** Runs a PostgreSQL client program; resolves with what it wrote to standard output. */
function run(program: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) =>
      reject(
        new PostgresDumpError(`${program} could not be run (${error.message}); install PostgreSQL's client programs.`),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new PostgresDumpError(`${program} failed: ${stderr.trim().split('\n')[0] ?? `exit code ${code}`}`));
    });
  });
}

/**
 * Writes the database at `url` to `file` with `pg_dump` in its custom format (one consistent
 * snapshot while the servers go on writing; `pg_restore` reads it), then reads the copy's table
 * of contents back with `pg_restore --list`, which fails on a truncated or damaged file.
 */
export async function dumpPostgres(url: string, file: string): Promise<void> {
  // The password goes in the environment, not on a command line every user of the machine can read.
  const withoutPassword = new URL(url);
  const password = decodeURIComponent(withoutPassword.password);
  withoutPassword.password = '';
  await run('pg_dump', ['--format=custom', '--no-owner', '--file', file, '--dbname', withoutPassword.href], {
    ...process.env,
    ...(password ? { PGPASSWORD: password } : {}),
  });
  const contents = await run('pg_restore', ['--list', file]);
  if (!/TABLE DATA public "?Comment"?/.test(contents))
    throw new PostgresDumpError(`pg_restore --list of ${file} does not list the comments' table data.`);
}
