import path from 'node:path';

/** The path of an export file in tests/fixtures/imports (WXR, Disqus, JSON Lines). */
export const importFixture = (name: string): string => path.join(__dirname, '..', 'fixtures', 'imports', name);
