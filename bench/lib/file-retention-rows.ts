import { benchPolicyAppendCost, benchTrimSpace } from '../file-retention.js';
import { fmt, type Row } from './table.js';

/** Sizes of the file adapter's retention rows. */
export interface FileRetentionSizes {
  /** Journal filled before the 90% trim. */
  journalBytes: number;
  /** Appends on each thread before the timed ones. */
  prefill: number;
  /** Timed appends per thread. */
  timedAppends: number;
}

/** Full: the sizes of issue 12 (50 MB journal, 100k appends); quick: smaller, same shape. */
export const FILE_RETENTION_SIZES: Record<'quick' | 'full', FileRetentionSizes> = {
  quick: { journalBytes: 10 * 2 ** 20, prefill: 20_000, timedAppends: 1000 },
  full: { journalBytes: 50 * 2 ** 20, prefill: 100_000, timedAppends: 5000 },
};

const SECTION = 'Storage';

/**
 * Rows for bench/file-retention.ts in the default durability mode: disk bytes left after
 * trimming 90% of a journal and the next compaction (target ≤ 15% of before), and the per-append
 * time on a thread with maxEntries 1000 vs without a policy (target ≤ 1.2×). A failure becomes a
 * "not measured" row with the reason.
 */
export async function fileRetentionRows(sizes: FileRetentionSizes = FILE_RETENTION_SIZES.full): Promise<Row[]> {
  const rows: Row[] = [];
  const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const spaceName = `disk bytes of a file store after trimming 90% of a ${mib(sizes.journalBytes)} journal and the next compaction`;
  try {
    const r = await benchTrimSpace({ journalBytes: sizes.journalBytes });
    rows.push({
      section: SECTION,
      name: spaceName,
      value: r.afterCompaction,
      unit: 'bytes',
      baseline: { name: 'before the trim', value: r.before },
      target: { on: 'ratio', kind: 'max', bound: 0.15 },
      note:
        `[${r.durability}] ${fmt(r.entries)} entries of ~1 KB: ${mib(r.before)} before, ${mib(r.afterTrim)} right after the trim ` +
        `(a trim writes one record; space comes back at compaction), ${mib(r.afterCompaction)} after; open ${r.openBeforeMs.toFixed(0)} ms ` +
        `before, ${r.openAfterMs.toFixed(0)} ms after (bench/file-retention.ts)`,
    });
  } catch (error) {
    rows.push({ section: SECTION, name: spaceName, value: null, unit: 'bytes', note: `failed: ${(error as Error).message}` });
  }
  const costName = `append time, file, thread with maxEntries 1000 vs no policy, at ${fmt(sizes.prefill)} appends`;
  try {
    const r = await benchPolicyAppendCost({ prefill: sizes.prefill, timedAppends: sizes.timedAppends });
    rows.push({
      section: SECTION,
      name: costName,
      value: r.withPolicyMicros,
      unit: 'µs',
      baseline: { name: 'same store, thread without a policy', value: r.withoutPolicyMicros },
      target: { on: 'ratio', kind: 'max', bound: 1.2 },
      note:
        `[${r.durability}] ${fmt(r.timedAppends)} single-entry appends per thread in alternating rounds of 25, one writer; median round ratio ` +
        `${r.medianRoundRatio.toFixed(2)}; ${r.compactions} ` +
        `compactions among them; journals at the end ${(r.policyJournalBytes / 1024).toFixed(0)} KiB vs ${mib(r.plainJournalBytes)} (bench/file-retention.ts)`,
    });
  } catch (error) {
    rows.push({ section: SECTION, name: costName, value: null, unit: 'µs', note: `failed: ${(error as Error).message}` });
  }
  return rows;
}
