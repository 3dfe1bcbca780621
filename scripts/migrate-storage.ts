/**
 * Copies a Cryo store into another, e.g. an existing file store into the sqlite default:
 *
 *   npx tsx scripts/migrate-storage.ts --from file:./data --to sqlite:./data/cryo.db
 *
 * Stop the server first (both stores are opened by this process). Safe to re-run: what is already
 * in the target is recognised and not written twice. See migrateStorage in src/storage/migrate.ts
 * for what is and is not preserved. Exits 1 when a checkpoint conflicted, 2 on bad arguments.
 */
import { migrateStorage, requireNamespaces } from '../src/storage/migrate.js';
import { openStorage } from '../src/storage/open.js';

function argument(name: string): string {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  const value = at === -1 ? undefined : args[at]!.includes('=') ? args[at]!.slice(name.length + 1) : args[at + 1];
  if (!value) {
    console.error('usage: npx tsx scripts/migrate-storage.ts --from file:./data --to sqlite:./data/cryo.db');
    process.exit(2);
  }
  return value;
}

const fromUrl = argument('--from');
const toUrl = argument('--to');
const from = await openStorage(fromUrl);
try {
  const to = await openStorage(toUrl);
  try {
    const report = await migrateStorage(requireNamespaces(from, fromUrl), to, (line) => console.error(line));
    console.log(JSON.stringify(report));
    if (report.checkpointConflicts.length > 0) {
      console.error(`${report.checkpointConflicts.length} checkpoint(s) differ in the target and were left alone`);
      process.exitCode = 1;
    }
  } finally {
    await to.close();
  }
} finally {
  await from.close();
}
