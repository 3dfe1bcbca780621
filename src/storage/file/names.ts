import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * File naming of the file adapter. Names never contain caller text: each is the SHA-256 of the
 * key (as a JSON array, so no two keys share an input), in hex. The real key is stored inside
 * the file and checked on access. Does NOT promise anything about hash collisions beyond
 * SHA-256's own strength (a collision is detected on access and reported as corruption).
 */

/** Sub-directory holding one journal file per thread. */
export const THREADS_DIR = 'threads';
/** Sub-directory holding one file per checkpoint. */
export const CHECKPOINTS_DIR = 'checkpoints';
/** The lock file's name, in the data directory. */
export const LOCK_FILE = 'LOCK';
/** Segments of the shared write-ahead log (`durability: 'wal'`), in the data directory: `WAL.<generation>`. */
export const WAL_NAME = /^WAL\.([0-9]{1,15})$/;

/** The file name of write-ahead log segment `generation`. */
export function walSegmentName(generation: number): string {
  return `WAL.${generation}`;
}
/** The format marker's name, in the data directory. */
export const FORMAT_FILE = 'FORMAT';

const JOURNAL_SUFFIX = '.journal';
const CHECKPOINT_SUFFIX = '.ckpt';

/** Journal file names: 64 hex digits and `.journal`. */
export const JOURNAL_NAME = /^[0-9a-f]{64}\.journal$/;
/** A journal being rewritten by a compaction (left behind only by a crash; removed on open). */
export const JOURNAL_TEMP_NAME = /^[0-9a-f]{64}\.journal\.compact$/;
/** Checkpoint file names: 64 hex digits and `.ckpt`. */
export const CHECKPOINT_NAME = /^[0-9a-f]{64}\.ckpt$/;
/** Temporary checkpoint files (left behind only by a crash; removed on open). */
export const CHECKPOINT_TEMP_NAME = /^[0-9a-f]{64}\.ckpt\.tmp-[0-9a-f]+$/;

function hash(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The journal file name of a thread. */
export function journalName(namespace: string, threadId: string): string {
  return `${hash(['thread', namespace, threadId])}${JOURNAL_SUFFIX}`;
}

/** The file name of a checkpoint. */
export function checkpointName(namespace: string, agentType: string, agentId: string): string {
  return `${hash(['checkpoint', namespace, agentType, agentId])}${CHECKPOINT_SUFFIX}`;
}

/** The temporary file a compaction of `journalPath` writes before renaming it over the journal. */
export function journalTempPath(journalPath: string): string {
  return `${journalPath}.compact`;
}
