import { runProgram } from '../command-line';

/** A PostgreSQL backup that could not be made (pg_dump missing or failing); one line. */
export class PostgresDumpError extends Error {
  override name = 'PostgresDumpError';
}

/** Runs a PostgreSQL client program; resolves with what it wrote to standard output. */
async function run(program: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { code, stdout, stderr } = await runProgram(program, args, env);
  if (code === 0) return stdout;
  if (code === null)
    throw new PostgresDumpError(
      `${program} could not be run (${stderr.trim()}); install PostgreSQL's client programs.`,
    );
  throw new PostgresDumpError(`${program} failed: ${stderr.trim().split('\n')[0] || `exit code ${code}`}`);
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
