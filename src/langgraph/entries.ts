import { compareWritesSortKeys, writesSortKey } from '@langchain/langgraph-checkpoint';
import type { StoredValue } from './codec.js';
import { CHECKPOINT_KIND, WRITES_KIND } from './thread-key.js';

/** An entry as the saver reads it back. */
export interface JournalEntry {
  id: string;
  seq: number;
  kind: string;
  payload: Record<string, unknown>;
}

/** Where the value of a channel at a version is stored: `[version, seq of the checkpoint entry holding it]`. */
export type BlobRef = [version: string | number, seq: number];

/**
 * Payload of a `langgraph.checkpoint` entry: the checkpoint without its channel values, its
 * metadata, its parent, the values of the channels it changed (newVersions), and where every
 * channel value it has lives (`blobs`: its own seq for changed channels, an ancestor's otherwise).
 */
export interface CheckpointPayload {
  checkpointId: string;
  parentId: string | null;
  checkpoint: StoredValue;
  metadata: StoredValue;
  values: Record<string, StoredValue>;
  blobs: Record<string, BlobRef>;
}

/** Payload of a `langgraph.writes` entry: one putWrites call. `idx` as LangGraph's WRITES_IDX_MAP gives it. */
export interface WritesPayload {
  checkpointId: string;
  taskId: string;
  /** The task's path (LangGraph's sort key for a superstep's writes); "" when not given. */
  taskPath?: string;
  writes: [idx: number, channel: string, value: StoredValue][];
}

/** State of a `langgraph.checkpoint` index record: the checkpoint entry's seq, and writes appended outside its segment. */
export interface IndexState {
  seq: number;
  late?: number[];
}

/** State of the run's latest pointer (agentType `langgraph`). */
export interface LatestState {
  latest: { id: string; seq: number };
}

export function isCheckpointEntry(entry: JournalEntry): boolean {
  return entry.kind === CHECKPOINT_KIND;
}

export function isWritesEntry(entry: JournalEntry): boolean {
  return entry.kind === WRITES_KIND;
}

export function checkpointPayload(entry: JournalEntry): CheckpointPayload {
  return entry.payload as unknown as CheckpointPayload;
}

export function writesPayload(entry: JournalEntry): WritesPayload {
  return entry.payload as unknown as WritesPayload;
}

/** The entry id of a checkpoint entry. */
export function checkpointEntryId(checkpointId: string): string {
  return `c:${checkpointId}`;
}

/** One pending write as stored, with its sort key. */
export interface StoredWrite {
  taskId: string;
  channel: string;
  value: StoredValue;
  sortKey: ReturnType<typeof writesSortKey>;
}

/**
 * Folds the writes entries of one checkpoint (in seq order) into LangGraph's pending writes:
 * keyed by (taskId, idx); a regular write (idx ≥ 0) keeps the first value stored, a special one
 * (error, interrupt, scheduled, resume: idx < 0) the last — LangGraph's insert/upsert rule.
 * Returned in LangGraph's writesSortKey order (task path, task id, idx), as savers must.
 */
export function foldWrites(entries: readonly JournalEntry[], checkpointId: string): StoredWrite[] {
  const folded = new Map<string, StoredWrite>();
  for (const entry of entries) {
    if (!isWritesEntry(entry)) continue;
    const payload = writesPayload(entry);
    if (payload.checkpointId !== checkpointId) continue;
    for (const [idx, channel, value] of payload.writes) {
      const key = JSON.stringify([payload.taskId, idx]);
      if (idx >= 0 && folded.has(key)) continue;
      folded.set(key, { taskId: payload.taskId, channel, value, sortKey: writesSortKey(payload.taskPath ?? '', payload.taskId, idx) });
    }
  }
  return [...folded.values()].sort((a, b) => compareWritesSortKeys(a.sortKey, b.sortKey));
}
