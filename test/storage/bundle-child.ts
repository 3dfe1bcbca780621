import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Bundles a child fixture (`test/storage/fixtures/<name>.ts`) into one plain ESM file in `outDir`,
 * so a child starts in a fraction of the time `--import tsx` takes (many children per test). The
 * native `fs-ext` stays outside, imported by its absolute path. Returns the bundle's path.
 */
export async function bundleChild(name: string, outDir: string): Promise<string> {
  const outfile = join(outDir, `${name}.mjs`);
  const fsExt = createRequire(import.meta.url).resolve('fs-ext');
  await build({
    entryPoints: [join(root, 'test/storage/fixtures', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [{ name: 'native-outside', setup: (b) => b.onResolve({ filter: /^fs-ext$/ }, () => ({ path: fsExt, external: true })) }],
  });
  return outfile;
}

