// Tests run the TypeScript sources through SWC (no type-checking here: `npm run typecheck` does
// that). Prisma's WebAssembly schema engine and `feed` ship as ES modules, so they are transformed too.
// Three projects: `app` (HTTP tests against the app and the built server, on SQLite), `browser`
// (Debian's Chromium driving the built server) and `postgres` (the app's tests again on
// PostgreSQL, with tests/postgres/); `npm test` runs the first two, `npm run test:postgres` the third.
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!(@prisma/schema-engine-wasm|feed)/)'],
};

// Tests of SQLite itself, not of a feature: they have PostgreSQL counterparts where one applies.
const sqliteOnly = [
  '/tests/db/database.test.ts',
  '/tests/db/shared-connection.test.ts',
  '/tests/admin/moderation-queries.test.ts',
  '/tests/db/statement-cache.test.ts',
  '/tests/comments/query-plans.test.ts',
  '/tests/operations/write-locks.test.ts',
  '/tests/operations/crash-safety.test.ts',
];

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
      testPathIgnorePatterns: ['/tests/browser/', '/tests/postgres/'],
    },
    { ...shared, displayName: 'browser', roots: ['<rootDir>/tests/browser'], testMatch: ['**/*.test.ts'] },
    // `npm run test:postgres`: the app's tests again on PostgreSQL (PG* variables name the server),
    // but for those about SQLite itself (its file, locks, WAL, query plans, crash recovery).
    {
      ...shared,
      displayName: 'postgres',
      roots: ['<rootDir>/tests'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/tests/browser/', ...sqliteOnly],
      setupFiles: ['<rootDir>/tests/helpers/on-postgres.js'],
    },
  ],
};
