import path from 'node:path';

/** The repository root, whether running from src/ (tests) or dist/ (the built server). */
export const projectRoot = path.resolve(__dirname, '..');
