import type { Limits } from '../../domain/limits.js';
import type { Storage, StorageLogger } from '../types.js';
import type { FileDurability } from './durability.js';
import type { FileIo } from './file-io.js';
import type { GroupCommitStats } from './group-commit.js';
import type { RecoveryReport } from './recovery.js';

/** Options of {@link createFileStorage}. */
export interface FileStorageOptions {
  /** The data directory; created when missing. */
  directory: string;
  /** Overrides of the input limits. @default DEFAULT_LIMITS */
  limits?: Partial<Limits>;
  /** Clock for createdAt/updatedAt and default entry times. @default () => new Date() */
  now?: () => Date;
  /**
   * Refuse to open when any file is damaged (instead of refusing only the damaged thread or
   * checkpoint). @default false
   */
  strict?: boolean;
  /** Idle journal handles kept open. @default 256 */
  maxOpenFiles?: number;
  /** File operations, for fault-injection tests only. @default the real ones */
  io?: Partial<FileIo>;
  /**
   * How an append is made durable before it is acknowledged. `'wal'`: written to the thread's
   * journal and to one shared write-ahead log, and the LOG is flushed, so concurrent appends
   * on any threads share one fdatasync; journals are flushed at log checkpoints.
   * `'per-thread-fsync'`: each journal is flushed itself (appends share a flush only on the same
   * thread). Either mode replays a log left by a crash. @default 'wal'
   */
  durability?: FileDurability;
  /** `'wal'` only: checkpoint (flush the journals, empty the log) once the log is this long. @default 64 MiB */
  walMaxBytes?: number;
  /** Operations on the write-ahead log, for fault-injection tests only. @default the real ones */
  walIo?: Partial<FileIo>;
  /**
   * A journal is compacted (rewritten without its trimmed entries) once the trimmed bytes reach
   * the retained ones and at least this many. @default 64 KiB
   */
  compactMinBytes?: number;
  /** Where to report what opening repaired (a warning) or refused (an error). @default no report */
  logger?: StorageLogger;
}

/** Counters for benchmarks and tests (flush counters include the log's and the checkpoints' flushes). */
export interface FileStorageStats extends GroupCommitStats {
  /** Appends acknowledged (durable), replays excluded. */
  appends: number;
  durability: FileDurability;
  /** Log checkpoints completed (always 0 with `'per-thread-fsync'`). */
  walCheckpoints: number;
  /** Journal compactions completed (rewrites without trimmed entries). */
  compactions: number;
  /** Bytes those compactions removed from disk. */
  reclaimedBytes: number;
}

/** The file Storage, with its recovery report and counters. */
export interface FileStorage extends Storage {
  readonly kind: 'file';
  readonly directory: string;
  /** What opening repaired (torn tails cut, empty journals removed) or refused (damaged files). */
  readonly recovery: RecoveryReport;
  /** Appends, flush rounds and flush calls so far. */
  stats(): FileStorageStats;
  /** The namespaces holding at least one thread or checkpoint, in no particular order (for export and migrations). */
  namespaces(): Promise<string[]>;
  /**
   * Resolves once every compaction scheduled so far is done (trims schedule them in the
   * background when the trimmed bytes reach the retained ones; see README.md, "Retention").
   */
  compactions(): Promise<void>;
}
