import { spawn } from 'node:child_process';
import path from 'node:path';

/** How a command-line tool run ended: its exit code and everything it printed. */
export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a built tool as `npm run <tool> -- …` does (`dist/<script>`, e.g. "imports/import-cli.js")
 * on the database `databaseUrl` names, from `cwd`, with nothing else of the test's environment.
 */
export function runBuiltTool(script: string, args: readonly string[], databaseUrl: string, cwd: string) {
  const cli = path.resolve(__dirname, '..', '..', 'dist', script);
  return new Promise<ToolResult>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
