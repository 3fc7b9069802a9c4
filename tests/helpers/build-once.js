// The process-level tests start the built server (node dist/server.js), as `npm start` does;
// build it once before any test file runs, if the source changed since the last build.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function buildOnce() {
  const root = path.resolve(__dirname, '..', '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-if-changed.cjs')], { cwd: root, stdio: 'inherit' });
};
