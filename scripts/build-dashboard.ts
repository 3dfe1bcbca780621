import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'playground', 'dashboard');

/** Where the built dashboard goes (served at `/` by src/server/dashboard.ts; not committed). */
export const DASHBOARD_DIST = join(root, 'playground', 'dist');

/**
 * Bundles playground/dashboard/main.ts (and the typed client it imports) for browsers with
 * esbuild (minified, with a source map), and copies index.html and dashboard.css beside it.
 * Takes well under a second.
 * Does not type-check: `npm run typecheck` covers the sources.
 */
export async function buildDashboard(outDir = DASHBOARD_DIST): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(source, 'main.ts')],
    outfile: join(outDir, 'dashboard.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(join(source, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(source, 'dashboard.css'), join(outDir, 'dashboard.css'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildDashboard();
  const sizes = await Promise.all(['dashboard.js', 'dashboard.css', 'index.html'].map(async (name) => {
    const bytes = await readFile(join(DASHBOARD_DIST, name));
    return `${name} ${(bytes.length / 1024).toFixed(1)} KiB (${(gzipSync(bytes).length / 1024).toFixed(1)} KiB gzipped)`;
  }));
  console.log(`dashboard built into ${DASHBOARD_DIST}: ${sizes.join(', ')}`);
}
