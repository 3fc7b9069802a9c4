import { spawn } from 'node:child_process';

// Another process holding the database's write lock (as a backup, a second server or the sqlite3
// shell might). It must be another process: the driver waits for a lock synchronously, so a holder
// in the test's own process could never let go while the server waits.
const holderScript = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
const release = () => { db.exec('COMMIT'); db.close(); process.exit(0); };
if (process.argv[3] === 'until-released') process.stdin.once('data', release);
else setTimeout(release, Number(process.argv[3]));
`;

export interface HeldLock {
  /** Lets go now (for a lock held until released), and resolves once it has. */
  release(): Promise<void>;
  /** Resolves once the lock is let go. */
  released: Promise<void>;
}

/**
 * Takes the write lock on `databaseFile`, for `ms` milliseconds or until `release()` is called
 * (`'until-released'`); resolves once it holds it.
 */
export async function holdWriteLock(databaseFile: string, ms: number | 'until-released'): Promise<HeldLock> {
  const child = spawn(
    process.execPath,
    ['-e', holderScript, require.resolve('better-sqlite3'), databaseFile, String(ms)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const released = new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}`)))),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code} before locking`)));
  });
  return {
    released,
    release: () => {
      child.stdin.write('release\n');
      return released;
    },
  };
}
