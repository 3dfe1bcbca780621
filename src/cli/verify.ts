import { verifyStore } from '../ops/verify-store.js';
import { parseCommandArgs } from './args.js';
import { withStore } from './open-store.js';
import { createProgress } from './progress.js';

export const VERIFY_USAGE = `usage: cryo verify --storage URL [--namespace N]…

Checks a store: what opening it found (file checksums), every thread read in full against
its head, every checkpoint's pointer (thread missing, journal behind, another life). Prints
one line per finding on stdout ("problem" or "notice") and a summary on stderr.
--storage-module M (or CRYO_STORAGE_MODULE) opens URLs of other schemes (docs/adapters.md).
Exit codes: 0 intact (notices only), 1 problems found or failure, 2 usage.`;

/** `cryo verify`. */
export async function runVerify(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const args = parseCommandArgs(argv, env, [], VERIFY_USAGE);
  if (args.help) {
    process.stdout.write(`${VERIFY_USAGE}\n`);
    return 0;
  }
  const progress = createProgress('verify');
  const report = await withStore(args, (storage) =>
    verifyStore(storage, { namespaces: args.namespaces, onProgress: (d, t) => progress.update(d, t) }),
  ).finally(() => progress.stop());
  for (const finding of report.findings) process.stdout.write(`${finding.level}\t${finding.subject}\t${finding.message}\n`);
  const problems = report.findings.filter((f) => f.level === 'problem').length;
  process.stderr.write(
    `verify: ${report.threads} threads, ${report.entries} entries, ${report.checkpoints} checkpoints: ` +
      `${problems === 0 ? 'intact' : `${problems} problem${problems === 1 ? '' : 's'}`}\n`,
  );
  return problems === 0 ? 0 : 1;
}
