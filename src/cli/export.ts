import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { exportStore } from '../ops/export-store.js';
import { parseCommandArgs } from './args.js';
import { withStore } from './open-store.js';
import { createProgress } from './progress.js';

export const EXPORT_USAGE = `usage: cryo export --storage URL [--namespace N]… [--out FILE]

Writes the store as NDJSON: a header line (format version), then every thread with its
entries and every checkpoint, then an end line with the counts. Streams page by page
(memory stays flat); each thread is consistent as of its head. --out writes FILE.partial
and renames it to FILE once complete; without --out the export goes to stdout.
--namespace (repeatable): only those namespaces (default: every namespace the store holds).
--storage-module M (or CRYO_STORAGE_MODULE) opens URLs of other schemes (docs/adapters.md).
Exit codes: 0 done, 1 failed (storage error, a thread changed while read), 2 usage.`;

/** `cryo export`. */
export async function runExport(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const args = parseCommandArgs(argv, env, ['out'], EXPORT_USAGE);
  if (args.help) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const partial = args.out === null ? null : `${args.out}.partial`;
  const out: Writable = partial === null ? process.stdout : createWriteStream(partial, { flags: 'w' });
  const write = async (line: string): Promise<void> => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  const progress = createProgress('export');
  try {
    const summary = await withStore(args, (storage) =>
      exportStore(storage, write, { namespaces: args.namespaces, onProgress: (d, t) => progress.update(d, t) }),
    );
    progress.stop();
    if (partial !== null) {
      out.end();
      await once(out, 'finish');
      await rename(partial, args.out!);
    }
    process.stderr.write(`export: ${summary.threads} threads, ${summary.entries} entries, ${summary.checkpoints} checkpoints, ${summary.apiKeys} API keys\n`);
    return 0;
  } catch (error) {
    progress.stop();
    if (partial !== null) {
      out.destroy();
      await rm(partial, { force: true });
    }
    throw error;
  }
}
