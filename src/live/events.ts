import type { Checkpoint, Entry } from '../domain/types.js';

/**
 * What a `threadEntries` subscription yields, in order: replayed entries, one `caught-up`,
 * live entries, and possibly one final `thread-deleted`. A `journal-trimmed` comes before the
 * entry at its firstSeq whenever the next seq the subscription needed had been trimmed (a
 * replay from below firstSeq, or a slow reader overtaken by a trim): the seqs it skips are gone
 * for good. Entries are shared between subscribers and must be treated as immutable.
 */
export type ThreadEntriesEvent =
  | { type: 'entry'; entry: Entry }
  | {
      type: 'caught-up';
      threadId: string;
      /** The next seq this subscription delivers: every entry with fromSeq ≤ seq < rev was delivered (but those a journal-trimmed skipped). */
      rev: number;
    }
  | { type: 'thread-deleted'; threadId: string }
  | {
      type: 'journal-trimmed';
      threadId: string;
      /** The thread's lowest stored seq: the next entry delivered has this seq (or a higher one, after a further trim). */
      firstSeq: number;
    };

/** What a `checkpointEvents` subscription yields. The checkpoint is shared; treat it as immutable. */
export type CheckpointEvent =
  | { type: 'checkpoint-saved'; checkpoint: Checkpoint }
  | { type: 'checkpoint-deleted'; agentType: string; agentId: string };

/** Tuning of the live layer. */
export interface LiveOptions {
  /** Entries per storage read (replay, shared live reads, laggard reads). @default 100 */
  pageSize?: number;
  /** Most entries queued for one thread subscriber; at least pageSize. @default 2 × pageSize */
  queueCapacity?: number;
  /**
   * Most undelivered events queued for one checkpointEvents subscriber; past it the subscription
   * ends with SubscriberTooSlow. @default 1000
   */
  maxPendingCheckpointEvents?: number;
}

/** {@link LiveOptions} with defaults applied. */
export type ResolvedLiveOptions = Required<LiveOptions>;

/** Applies the defaults of {@link LiveOptions}. */
export function resolveLiveOptions(options: LiveOptions = {}): ResolvedLiveOptions {
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? 100));
  return {
    pageSize,
    queueCapacity: Math.max(pageSize, Math.floor(options.queueCapacity ?? 2 * pageSize)),
    maxPendingCheckpointEvents: Math.max(1, Math.floor(options.maxPendingCheckpointEvents ?? 1000)),
  };
}
