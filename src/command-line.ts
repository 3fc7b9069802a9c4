import { spawn } from 'node:child_process';
import { ConfigError, loadConfig, readEnvironment, type Config } from './config';
import { openDatabase, type Database } from './db/database';
import { DatabaseStartError } from './db/migrations';
import { databaseUrlOf, type DatabaseLocation } from './shared/database-location';

// What the command-line tools (backup, import, export) share: reading the configuration as the
// server does, opening its database, failing with one line a person can act on, and being run by
// the server in a child process.

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs a tool's `main` and exits with its code; on an error, prints `<failure>: <why>` and exits 1.
 * The listed errors (and bad configuration or a database that cannot be opened) are shown as they
 * are; anything else only by its last line, where Prisma says the cause.
 */
export function runCommand(failure: string, knownErrors: readonly ErrorClass[], main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const known = [ConfigError, DatabaseStartError, ...knownErrors].some((errorClass) => error instanceof errorClass);
      const why = error instanceof Error ? (known ? error.message : error.message.split('\n').pop()) : String(error);
      console.error(`${failure}: ${why}`);
      process.exit(1);
    },
  );
}

/** The configuration, and the database opened (and migrated) as the server opens it, for `work`; closed after. */
export async function withDatabase<T>(work: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(readEnvironment());
  const { db } = await openDatabase({ location: config.database, busyTimeoutMs: config.DB_BUSY_TIMEOUT_MS });
  try {
    return await work(db, config);
  } finally {
    await db.$disconnect();
  }
}

/** How a tool run in a child process ended: its exit code (null when it could not start or was killed) and what it printed. */
export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a built tool (`dist/…-cli.js`) in a child process on `database`, for work that must not
 * run on the server's own thread or connection (backups, imports). Resolves once the child has
 * exited and its output is read to the end; never rejects.
 */
export function runToolInChild(script: string, args: readonly string[], database: DatabaseLocation): Promise<ToolRun> {
  return runProgram(process.execPath, [script, ...args], { ...process.env, DATABASE_URL: databaseUrlOf(database) });
}

/** Runs a program (a tool of ours, or PostgreSQL's pg_dump) to its end; never rejects. */
export function runProgram(program: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolRun> {
  const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
