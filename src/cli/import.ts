import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { importStore } from '../ops/import-store.js';
import { ExportFileError } from '../ops/read-export.js';
import { parseCommandArgs } from './args.js';
import { withStore } from './open-store.js';
import { createProgress } from './progress.js';

export const IMPORT_USAGE = `usage: cryo import --storage URL [--in FILE]

Imports a cryo export (NDJSON) into any adapter. The whole file is checked first: a damaged
line, a cut-off file or another format version is refused with its line number and nothing
is written. Trimmed threads keep their seqs; each thread's retention policy is set last, once
the checkpoints pointing at it are in. Idempotent: run it again after an interruption and it completes what is missing
(no duplicates, no gaps). What the target holds with other content is left alone and listed.
Without --in it reads stdin (spooled to a temporary file for the check).
--storage-module M (or CRYO_STORAGE_MODULE) opens URLs of other schemes (docs/adapters.md).
Exit codes: 0 done, 1 refused file / conflicts / dangling checkpoints / failure, 2 usage.`;

/** `cryo import`. */
export async function runImport(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const args = parseCommandArgs(argv, env, ['in'], IMPORT_USAGE);
  if (args.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  let spool: string | null = null;
  let path = args.in;
  if (path === null) {
    spool = await mkdtemp(join(tmpdir(), 'cryo-import-'));
    path = join(spool, 'stdin.ndjson');
    await pipeline(process.stdin, createWriteStream(path));
  }
  const progress = createProgress('import');
  try {
    const summary = await withStore(args, (storage) =>
      importStore(storage, path, { onProgress: (d, t) => progress.update(d, t) }),
    );
    progress.stop();
    process.stderr.write(
      `import: ${summary.threads} threads, ${summary.entriesWritten} entries written, ${summary.entriesPresent} already there, ` +
        (summary.entriesTrimmed > 0 ? `${summary.entriesTrimmed} trimmed in the target since, ` : '') +
        `${summary.checkpointsWritten} checkpoints written, ${summary.checkpointsPresent} already there, ` +
        `${summary.apiKeysWritten} API keys written, ${summary.apiKeysPresent} already there\n`,
    );
    for (const conflict of summary.conflicts) process.stderr.write(`conflict: ${conflict}\n`);
    for (const dangling of summary.dangling) process.stderr.write(`not imported: ${dangling}\n`);
    return summary.conflicts.length + summary.dangling.length > 0 ? 1 : 0;
  } catch (error) {
    progress.stop();
    if (error instanceof ExportFileError) {
      process.stderr.write(`cryo import: refused ${args.in ?? 'stdin'}: ${error.message}; nothing was imported\n`);
      return 1;
    }
    throw error;
  } finally {
    if (spool) await rm(spool, { recursive: true, force: true });
  }
}
