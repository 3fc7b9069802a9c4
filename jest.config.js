// Tests run the TypeScript sources through SWC (no type-checking here: `npm run typecheck` does
// that). Prisma's WebAssembly schema engine ships as an ES module, so it is transformed too.
// Two projects: `app` (HTTP tests against the app and the built server) and `browser` (Debian's
// Chromium driving the built server); `npm test` runs both, `npm run test:browser` the second.
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!@prisma/schema-engine-wasm/)'],
};

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/tests/helpers/build-once.js',
  // A per-test ceiling, not a speed assertion: the slowest tests (the hostile-input corpus, the
  // browser journeys) take seconds on a loaded 2-core machine.
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'app',
      roots: ['<rootDir>/tests'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/tests/browser/'],
    },
    { ...shared, displayName: 'browser', roots: ['<rootDir>/tests/browser'], testMatch: ['**/*.test.ts'] },
  ],
};
