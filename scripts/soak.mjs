// npm run soak [-- <rounds>]
// The crash test (tests/operations/crash-safety.test.ts) with many more SIGKILLs than the suite's
// ten: 100 by default. Each round submits comments to the real server, kills it at a random
// moment, restarts it and checks every acknowledged comment and `PRAGMA integrity_check`.
import { spawnSync } from 'node:child_process';

const rounds = process.argv[2] ?? '100';
if (!/^\d+$/.test(rounds) || Number(rounds) < 1) {
  console.error('Usage: npm run soak [-- <rounds>]   (a whole number, 1 or more)');
  process.exit(2);
}
const jest = spawnSync(
  process.execPath,
  [
    'node_modules/jest/bin/jest.js',
    '--selectProjects',
    'app',
    '--testTimeout',
    String(Number(rounds) * 10_000),
    'tests/operations/crash-safety.test.ts',
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, SOAK_ROUNDS: rounds },
  },
);
process.exit(jest.status ?? 1);
