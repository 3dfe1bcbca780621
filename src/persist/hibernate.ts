import { checkCheckpointRev } from '../domain/checkpoint.js';
import { RevisionConflict, ThreadDiverged, ThreadHistoryTruncated, ThreadRevRegression } from '../domain/errors.js';
import { DEFAULT_LIMITS } from '../domain/limits.js';
import type { Storage } from '../storage/types.js';
import type { HibernateInput, HibernateResult, PersistOptions } from './types.js';
import { couldBeStoredEntry } from './entry-match.js';
import { prepareHibernate, type PreparedHibernate } from './validate-hibernate.js';

type PreparedThread = NonNullable<PreparedHibernate['thread']>;

/** Re-reads after racing appends before giving up with the last RevisionConflict. */
const MAX_FLUSH_ATTEMPTS = 8;

/**
 * Flushes the agent's unflushed journal tail, then writes its checkpoint pointing at the journal
 * (docs/architecture.md), over any Storage:
 *
 * 0. With `expectedRev`, the stored checkpoint's rev is compared first; a mismatch is a
 *    RevisionConflict before the journal is touched, so a fenced, stale writer appends nothing.
 *    A stored checkpoint that is this call already written (a retry whose reply was lost: rev
 *    expectedRev + 1, same state, version and pointer) is returned as it is, with nothing
 *    read or written further (`flushed: 0`).
 * 1–4. The thread's stored rev S and the overlapping stored entries are read in one `readTail`;
 *    S > rev is ThreadRevRegression, S < rev - entries.length is ThreadHistoryTruncated
 *    (`firstSentSeq` = rev - entries.length), an overlapping sent entry that carries an id
 *    different from the stored one is ThreadDiverged { seq }. A sent entry without an id must
 *    match the stored one's kind, payload, refs (and `at` when given), else ThreadDiverged too:
 *    a different entry is never silently taken as already written. Sent entries below the
 *    thread's firstSeq (trimmed: readTail returns only stored entries) are not compared: what
 *    was trimmed cannot be checked, and a trim never passes a stored checkpoint's pointer.
 * 5. The entries with seq ≥ S are appended with expectedRev = S (metadata only matters when S = 0).
 *    A RevisionConflict there means someone else appended meanwhile: the thread is re-read and
 *    the flush continues only if every entry the other writer added is one of ours with a
 *    caller id (a racing identical flush, e.g. a retry); otherwise the conflict (or
 *    ThreadDiverged / ThreadRevRegression) is thrown.
 * 6. The checkpoint is put with pointer `{ id, rev }` (null for no thread or rev 0), with the
 *    caller's expectedRev.
 *
 * The journal is written before the checkpoint, so a pointer never names missing entries; a
 * crash in between leaves the journal ahead (thaw reports it). NOT atomic as a whole: step 0
 * and step 6 are separate calls, so a writer racing between them can make this call append
 * its entries and then fail at step 6 with RevisionConflict (the final put still passes
 * expectedRev, so the checkpoint itself is never overwritten by a fenced writer). Validation
 * errors (ValidationError, fields `thread.*` for the journal) come before any read.
 */
export async function hibernate(storage: Storage, input: HibernateInput, options: PersistOptions = {}): Promise<HibernateResult> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const prepared = prepareHibernate(input, limits);
  const { checkpoint: put, thread } = prepared;
  const key = { namespace: put.namespace, agentType: put.agentType, agentId: put.agentId };

  if (put.expectedRev !== undefined) {
    const current = await storage.getCheckpoint(key);
    if (checkCheckpointRev(put, current) === 'replay') return { checkpoint: current!, flushed: 0 };
  }

  const flushed = thread ? await flush(storage, put.namespace, thread) : 0;
  const checkpoint = await storage.putCheckpoint({
    namespace: put.namespace,
    agentType: put.agentType,
    agentId: put.agentId,
    state: put.state,
    version: put.version,
    thread: put.thread,
    expectedRev: put.expectedRev,
  });
  return { checkpoint, flushed };
}

/** Steps 1–5: brings the stored journal up to `thread.rev`; returns how many entries it wrote. */
async function flush(storage: Storage, namespace: string, thread: PreparedThread): Promise<number> {
  const { id: threadId, rev, entries, callerIds } = thread;
  const firstSentSeq = rev - entries.length;
  let verifiedUpTo: number | null = null;
  let lastConflict: RevisionConflict | null = null;
  for (let attempt = 0; attempt < MAX_FLUSH_ATTEMPTS; attempt++) {
    // One consistent read: the head and every stored entry the sent tail overlaps.
    const tail = await storage.readTail({ namespace, threadId, limit: entries.length });
    const storedRev = tail.thread?.rev ?? 0;
    if (storedRev > rev) throw new ThreadRevRegression(threadId, storedRev, rev);
    if (storedRev < firstSentSeq) throw new ThreadHistoryTruncated(threadId, storedRev, firstSentSeq);
    for (const stored of tail.entries) {
      if (stored.seq < firstSentSeq) continue;
      const sentId = callerIds[stored.seq - firstSentSeq];
      if (sentId == null) {
        if (verifiedUpTo !== null && stored.seq >= verifiedUpTo) {
          throw new RevisionConflict(verifiedUpTo, storedRev, `thread ${JSON.stringify(threadId)}`);
        }
        if (!couldBeStoredEntry(entries[stored.seq - firstSentSeq]!, stored)) throw new ThreadDiverged(threadId, stored.seq);
        continue;
      }
      if (sentId !== stored.id) throw new ThreadDiverged(threadId, stored.seq);
    }
    if (storedRev === rev) return 0;
    try {
      const result = await storage.appendEntries({
        namespace,
        threadId,
        entries: entries.slice(storedRev - firstSentSeq),
        expectedRev: storedRev,
        metadata: storedRev === 0 ? thread.metadata : null,
      });
      return result.replayed ? 0 : result.entries.length;
    } catch (error) {
      if (!(error instanceof RevisionConflict) || error.actualRev <= storedRev) throw error;
      lastConflict = error;
      verifiedUpTo = storedRev;
    }
  }
  throw lastConflict ?? new Error('unreachable');
}
