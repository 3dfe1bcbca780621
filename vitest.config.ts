import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const manifest = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
};

/**
 * This package's own entries (`cryo/storage`, `cryo/storage/conformance`) resolve to the
 * TypeScript sources their "cryo-source" export condition names, as in tsconfig.json and
 * `npm start`. Aliases, not resolve.conditions: a condition would also change how every
 * dependency resolves.
 */
const sourceEntries = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
  typeof target === 'object' && target['cryo-source']
    ? [{ find: new RegExp(`^cryo${subpath.slice(1).replace(/[/.]/g, '\\$&')}$`), replacement: new URL(target['cryo-source'], import.meta.url).pathname }]
    : [],
);

export default defineConfig({
  resolve: {
    // graphql ships ESM and CJS builds; load one copy so scalars are from one realm.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }, ...sourceEntries],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Stops the run at once, with one line, when redis-server or chromium is not installed.
    globalSetup: ['test/setup/require-tools.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
