import { defineConfig } from 'vitest/config';

/**
 * Package entries (`cryo/storage`…) resolve to the TypeScript sources in this repository
 * (package.json "exports"), then Vite's default server conditions.
 */
const SOURCE_CONDITIONS = ['cryo-source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: {
    // graphql ships ESM and CJS builds; load one copy so scalars are from one realm.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
    conditions: SOURCE_CONDITIONS,
  },
  ssr: { resolve: { conditions: SOURCE_CONDITIONS } },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Stops the run at once, with one line, when redis-server or chromium is not installed.
    globalSetup: ['test/setup/require-tools.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
