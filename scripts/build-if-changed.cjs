// Builds the server (tsc → dist/) only when something it is built from changed since the last
// build: a restart then takes about a second instead of a full compile. `npm install` builds once
// (postinstall); `npm start`, the command-line tools and the bench call this first.
//   node scripts/build-if-changed.cjs [--quiet]
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** The newest modification time (ms) of the files a build reads: the sources and the build settings. */
function newestSourceTime(dir) {
  const newestIn = (folder) =>
    readdirSync(folder, { withFileTypes: true }).reduce((newest, entry) => {
      const file = path.join(folder, entry.name);
      return Math.max(newest, entry.isDirectory() ? newestIn(file) : statSync(file).mtimeMs);
    }, 0);
  const settings = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']
    .map((name) => path.join(dir, name))
    .filter((file) => existsSync(file))
    .map((file) => statSync(file).mtimeMs);
  return Math.max(newestIn(path.join(dir, 'src')), ...settings);
}

/** Whether `dir`'s build is missing or older than what it is built from. */
function needsBuild(dir) {
  const stamp = path.join(dir, 'dist', '.built');
  return !existsSync(stamp) || statSync(stamp).mtimeMs < newestSourceTime(dir);
}

function build(dir, quiet) {
  if (!quiet) console.error('Building the server (the source changed since the last build)…');
  const started = Date.now();
  // The stamp is written before compiling, so an edit made during the compile counts as newer.
  const stampTime = new Date();
  const tsc = spawnSync(
    process.execPath,
    [path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  const stamp = path.join(dir, 'dist', '.built');
  writeFileSync(stamp, `${stampTime.toISOString()}\n`);
  utimesSync(stamp, stampTime, stampTime);
  if (!quiet) console.error(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

module.exports = { needsBuild };

if (require.main === module && needsBuild(root)) build(root, process.argv.includes('--quiet'));
