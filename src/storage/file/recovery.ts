import type { StorageLogger } from '../types.js';
import type { WalReplayReport } from './wal-replay.js';

/** A damaged file found at open: accesses to what it holds throw StorageCorrupted. */
export interface Problem {
  file: string;
  offset: number;
  reason: string;
}

/**
 * What opening the file storage repaired or refused, for logs and tests. Torn tails (appends
 * that were never acknowledged) are cut; journals without one complete append and leftover temp
 * files are removed; damaged files are left untouched and listed in `corrupted`.
 */
export interface RecoveryReport {
  /** Journals cut back to their last complete append: `from` bytes → `to` bytes. */
  truncated: { file: string; from: number; to: number }[];
  /** Files removed (journals with no complete append, checkpoint temp files). */
  removed: string[];
  /** Damaged files, left as they are. */
  corrupted: Problem[];
  /** Set when a non-empty write-ahead log was replayed (after a crash in `durability: 'wal'`). */
  wal?: WalReplayReport;
}

/** An empty report. */
export function emptyRecoveryReport(): RecoveryReport {
  return { truncated: [], removed: [], corrupted: [] };
}

/** Logs a report: damaged files as an error, repairs (cut tails, removed files, a replayed log) as a warning; nothing when clean. */
export function logRecovery(report: RecoveryReport, logger: StorageLogger): void {
  if (report.corrupted.length > 0) {
    logger.error({ corrupted: report.corrupted }, 'storage: damaged files found at open; their threads/checkpoints answer STORAGE_CORRUPTED');
  }
  if (report.truncated.length > 0 || report.removed.length > 0 || report.wal) {
    logger.warn(
      { truncated: report.truncated, removed: report.removed, wal: report.wal },
      'storage: recovered at open (unacknowledged torn writes cut)',
    );
  }
}
