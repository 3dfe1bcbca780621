import { ageCutoff, ageTarget, maxEntriesTarget } from '../../domain/retention.js';
import type { RetentionPolicy } from '../../domain/types.js';
import type { JournalFile } from './journal-file.js';

/** Entries read at a time while looking for the first young entry. */
const AGE_CHUNK = 256;

/**
 * The firstSeq `policy` asks for on this journal at `now` (policyTarget in
 * src/domain/retention.ts, with the stored entries read from the file in chunks from firstSeq up,
 * stopping at the first entry young enough or at the pointer): null when nothing is to drop.
 * Call under the thread's lock with its appends settled. Reads only what it drops, plus one chunk.
 */
export async function policyTargetOf(
  journal: JournalFile,
  policy: RetentionPolicy | null,
  now: Date,
  lowestPointerRev: number | null,
): Promise<number | null> {
  const rev = journal.durableRev;
  const byCount = maxEntriesTarget({ rev, firstSeq: journal.firstSeq }, policy, lowestPointerRev);
  const cutoff = ageCutoff(policy, now);
  if (cutoff === null) return byCount;
  const limit = lowestPointerRev === null ? rev : Math.min(rev, lowestPointerRev);
  let byAge: number | null = null;
  let from = journal.firstSeq;
  while (from < limit) {
    const chunk = (await journal.read(from, Math.min(AGE_CHUNK, rev - from))) ?? [];
    const target = ageTarget({ rev, firstSeq: from }, chunk, cutoff, lowestPointerRev);
    if (target === null) break;
    byAge = target;
    if (target < from + chunk.length || chunk.length === 0) break;
    from = target;
  }
  if (byCount === null) return byAge;
  return byAge === null ? byCount : Math.max(byCount, byAge);
}
