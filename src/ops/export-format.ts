import type { JsonObject } from '../domain/json.js';
import type { RetentionPolicy } from '../domain/types.js';

/** The export format this build writes. */
export const EXPORT_FORMAT = 'cryo-export';
/**
 * Bumped whenever a record changes shape. 2 added `firstSeq` and `retention` to thread records;
 * 3 added API key records and the end record's `apiKeys`. Import reads {@link READABLE_VERSIONS}
 * and refuses any other.
 */
export const EXPORT_VERSION = 3;
/**
 * The versions import reads: 1 (before retention: every thread starts at seq 0, no policy),
 * 2 (no API keys) and 3.
 */
export const READABLE_VERSIONS: readonly number[] = [1, 2, 3];

/** Line 1. Differs between two exports of the same data (time, source): compare from line 2. */
export interface HeaderRecord {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  source: string;
}

/**
 * A thread starts: its rev, its firstSeq (the entries below it were trimmed), its retention
 * policy and metadata, as read in one head; `rev - firstSeq` entries follow. Version 1 files
 * have neither `firstSeq` nor `retention`: read as 0 and null.
 */
export interface ThreadRecord {
  type: 'thread';
  namespace: string;
  id: string;
  rev: number;
  firstSeq: number;
  retention: RetentionPolicy | null;
  metadata: JsonObject;
}

/** One entry of the thread named by the preceding thread record, in seq order from its firstSeq. */
export interface EntryRecord {
  type: 'entry';
  seq: number;
  id: string;
  at: string;
  kind: string;
  payload: JsonObject;
  refs: JsonObject;
}

/**
 * A checkpoint (after every thread of its namespace). `thread.life` says how the stored pointer
 * relates to the exported thread: "current" (its life, or a pointer from before lives, which
 * matches any), or "dangling" (the thread is missing, shorter than `rev`, or in another life),
 * which the Storage contract cannot store again: import reports those.
 */
export interface CheckpointRecord {
  type: 'checkpoint';
  namespace: string;
  agentType: string;
  agentId: string;
  version: number;
  state: JsonObject;
  thread: { id: string; rev: number; life: 'current' | 'dangling' } | null;
}

/**
 * An API key of the namespace (after its checkpoints): everything the store keeps, which is the
 * SHA-256 of the token, never the secret. Imported as is, so the same tokens keep working.
 */
export interface ApiKeyExportRecord {
  type: 'apiKey';
  namespace: string;
  id: string;
  label: string | null;
  scopes: string[];
  hash: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** The last line: what the file holds, so a cut-off file is recognised. `apiKeys` from version 3 on. */
export interface EndRecord {
  type: 'end';
  threads: number;
  entries: number;
  checkpoints: number;
  apiKeys?: number;
}

/** Any line after the header. */
export type ExportRecord = ThreadRecord | EntryRecord | CheckpointRecord | ApiKeyExportRecord | EndRecord;
