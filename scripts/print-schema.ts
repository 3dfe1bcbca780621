/**
 * Writes schema.graphql (sorted) from the Pothos schema: `npm run schema`. With `--check`,
 * writes nothing and exits 1 when the committed file differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printCryoSchema } from '../src/schema/index.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const printed = printCryoSchema();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current !== printed) {
    console.error('schema.graphql is stale: run `npm run schema`');
    process.exit(1);
  }
} else {
  writeFileSync(target, printed);
  console.log(`wrote ${target}`);
}
