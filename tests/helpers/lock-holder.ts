import { spawn } from 'node:child_process';

// Another process holding the database's write lock (as a backup, a second server or the sqlite3
// shell might). It must be another process: the driver waits for a lock synchronously, so a holder
// in the test's own process could never let go while the server waits.
const holderScript = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[3]));
`;

/** Takes the write lock on `databaseFile` for `ms` milliseconds; resolves once it holds it, with a promise of its release. */
export async function holdWriteLock(databaseFile: string, ms: number): Promise<{ released: Promise<void> }> {
  const child = spawn(process.execPath, ['-e', holderScript, require.resolve('better-sqlite3'), databaseFile, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}`)))));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code} before locking`)));
  });
  return { released };
}
