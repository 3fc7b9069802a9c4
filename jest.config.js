// Tests run the TypeScript sources through SWC (no type-checking here: `npm run typecheck` does
// that). Prisma's WebAssembly schema engine ships as an ES module, so it is transformed too.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!@prisma/schema-engine-wasm/)'],
  globalSetup: '<rootDir>/tests/helpers/build-once.js',
  testTimeout: 30_000,
};
