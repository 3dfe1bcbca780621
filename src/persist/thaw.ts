import { pointsAtLife } from '../domain/checkpoint.js';
import { CheckpointNotFound, MissingThread, ThreadMismatch, ValidationError } from '../domain/errors.js';
import { DEFAULT_LIMITS } from '../domain/limits.js';
import type { Checkpoint, Entry, ThreadHead } from '../domain/types.js';
import { prepareCheckpointKey } from '../storage/prepare-options.js';
import type { Storage } from '../storage/types.js';
import type { PersistOptions, ThawInput, ThawResult } from './types.js';

const DEFAULT_MAX_PENDING = 10_000;
/** Tail reads before a journal that keeps growing under us is reported as ThreadMismatch. */
const MAX_READS = 8;

/**
 * Loads an agent's checkpoint and checks its journal agrees:
 * no checkpoint → CheckpointNotFound; null pointer → success with `thread: null`; pointed-at
 * thread missing, or deleted and re-created since (another life than the pointer's) →
 * MissingThread; stored rev ≠ pointer rev → ThreadMismatch, unless
 * `allowJournalAhead` and the journal is ahead: then success with every entry after the pointer
 * as `pendingEntries` (read consistently with the returned head), at most `maxPendingEntries`
 * (default 10,000; beyond that ThreadMismatch, and the caller pages the journal itself).
 * Never returns a fresh agent. Does not return the thread's entries (page them with
 * readEntries). The checkpoint and the thread are two reads, not one snapshot: a write between
 * them shows up as a mismatch or as pending entries, never as silently lost data. On a trimmed
 * thread the pending entries are all there (a trim never passes a stored pointer, see
 * src/domain/retention.ts); a pointer found below firstSeq means the checkpoint was overwritten
 * and the thread trimmed between the two reads, so the checkpoint is read again.
 */
export async function thaw(storage: Storage, input: ThawInput, options: PersistOptions = {}): Promise<ThawResult> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const key = prepareCheckpointKey(input, limits);
  const allowAhead = input.allowJournalAhead ?? false;
  if (typeof allowAhead !== 'boolean') throw new ValidationError('must be a boolean', 'allowJournalAhead');
  const maxPending = options.maxPendingEntries ?? DEFAULT_MAX_PENDING;
  for (let attempt = 0; ; attempt++) {
    const checkpoint = await storage.getCheckpoint(key);
    if (!checkpoint) throw new CheckpointNotFound(key.agentType, key.agentId);
    const found = await againstJournal(storage, key.namespace, checkpoint, allowAhead, maxPending);
    if (!('movedAt' in found)) return found;
    // The pointer read is below the thread's firstSeq: the checkpoint moved on and the thread was
    // trimmed since (a pointer still stored is never trimmed past), so read the checkpoint again.
    if (attempt >= MAX_READS) throw new ThreadMismatch(checkpoint.thread!.id, checkpoint.thread!.rev, found.movedAt);
  }
}

/**
 * Checks one checkpoint against its journal; `movedAt` (the thread's rev) when its pointer is below
 * the thread's firstSeq, so the entries after it can no longer be read (the checkpoint was
 * overwritten meanwhile).
 */
async function againstJournal(
  storage: Storage,
  namespace: string,
  checkpoint: Checkpoint,
  allowAhead: boolean,
  maxPending: number,
): Promise<ThawResult | { movedAt: number }> {
  const pointer = checkpoint.thread;
  if (!pointer) return { checkpoint, thread: null, pendingEntries: [] };

  const threadKey = { namespace, threadId: pointer.id };
  let limit = 0;
  for (let attempt = 0; ; attempt++) {
    const tail: { thread: ThreadHead | null; entries: Entry[] } = await storage.readTail({ ...threadKey, limit });
    if (!tail.thread) throw new MissingThread(pointer.id, pointer.rev);
    if (!pointsAtLife(pointer, tail.thread)) throw new MissingThread(pointer.id, pointer.rev, true);
    const ahead = tail.thread.rev - pointer.rev;
    if (ahead === 0) return { checkpoint, thread: tail.thread, pendingEntries: [] };
    if (ahead < 0 || !allowAhead || ahead > maxPending || attempt >= MAX_READS) {
      throw new ThreadMismatch(pointer.id, pointer.rev, tail.thread.rev);
    }
    if (tail.thread.firstSeq > pointer.rev) return { movedAt: tail.thread.rev };
    if (ahead <= tail.entries.length) {
      return { checkpoint, thread: tail.thread, pendingEntries: tail.entries.slice(tail.entries.length - ahead) };
    }
    limit = ahead;
  }
}
