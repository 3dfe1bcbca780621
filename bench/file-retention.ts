/**
 * Retention in the file adapter: the disk space a trim gives back (after the compaction that
 * follows it) and what a maxEntries policy costs an append.
 *
 *   npx tsx bench/file-retention.ts [journalMB] [timedAppends] [durability]
 *
 * Space: one thread filled with ~`journalMB` MB of ~1 KB entries; the store's bytes on disk
 * (allocated blocks of every file, after a clean close, so no log segment is left) before, after
 * trimming 90% of the entries (the trim only writes a small record), and after the next
 * compaction (triggered by the next append). Open time is measured before and after too.
 * Append cost: two threads prefilled to `prefill` appends (one with maxEntries 1000, so it has
 * been trimmed and compacted all along), then `timedAppends` single-entry appends each, timed in
 * short alternating rounds (25 appends); the ratio of their mean per-append times (compactions
 * included), and the median of the per-round ratios.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createFileStorage, DEFAULT_FILE_DURABILITY, type FileDurability } from '../src/storage/file/index.js';

/** Bytes allocated on disk (st_blocks × 512) and apparent sizes of every file under `dir`. */
export async function diskBytes(dir: string): Promise<{ allocated: number; apparent: number }> {
  let allocated = 0;
  let apparent = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const s = await stat(join(entry.parentPath, entry.name));
    allocated += s.blocks * 512;
    apparent += s.size;
  }
  return { allocated, apparent };
}

/** Result of {@link benchTrimSpace}. */
export interface TrimSpaceResult {
  entries: number;
  durability: FileDurability;
  /** Allocated bytes: full, after the trim, after the compaction. */
  before: number;
  afterTrim: number;
  afterCompaction: number;
  /** Open time of the full store and of the compacted one. */
  openBeforeMs: number;
  openAfterMs: number;
}

/** Space given back by trimming 90% of a ~`journalBytes` journal, then compacting. */
export async function benchTrimSpace(options: { journalBytes?: number; durability?: FileDurability } = {}): Promise<TrimSpaceResult> {
  const durability = options.durability ?? DEFAULT_FILE_DURABILITY;
  const target = options.journalBytes ?? 50 * 2 ** 20;
  const directory = await mkdtemp(join(tmpdir(), 'cryo-bench-trim-'));
  const never = Number.MAX_SAFE_INTEGER;
  try {
    const payload = { text: 'x'.repeat(1000) };
    const threadId = 'big';
    const perAppend = 500;
    const writer = await createFileStorage({ directory, durability, compactMinBytes: never });
    let entries = 0;
    while ((await diskBytes(join(directory, 'threads'))).apparent < target) {
      await writer.appendEntries({ threadId, entries: Array.from({ length: perAppend }, () => ({ payload })) });
      entries += perAppend;
    }
    await writer.close();
    const before = (await diskBytes(directory)).allocated;

    let started = performance.now();
    const trimmer = await createFileStorage({ directory, durability, compactMinBytes: never });
    const openBeforeMs = performance.now() - started;
    await trimmer.trimThread({ threadId, beforeSeq: Math.floor(entries * 0.9) });
    await trimmer.close();
    const afterTrim = (await diskBytes(directory)).allocated;

    const compactor = await createFileStorage({ directory, durability });
    await compactor.appendEntries({ threadId, entries: [{ payload }] });
    await compactor.compactions();
    if (compactor.stats().compactions !== 1) throw new Error(`expected one compaction, saw ${compactor.stats().compactions}`);
    await compactor.close();
    const afterCompaction = (await diskBytes(directory)).allocated;

    started = performance.now();
    const reader = await createFileStorage({ directory, durability });
    const openAfterMs = performance.now() - started;
    const head = await reader.getThread({ threadId });
    if (head?.firstSeq !== Math.floor(entries * 0.9) || head.rev !== entries + 1) throw new Error(`unexpected head ${JSON.stringify(head)}`);
    await reader.close();
    return { entries, durability, before, afterTrim, afterCompaction, openBeforeMs, openAfterMs };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Result of {@link benchPolicyAppendCost}. */
export interface PolicyAppendCostResult {
  durability: FileDurability;
  prefill: number;
  timedAppends: number;
  /** Mean µs per timed append. */
  withPolicyMicros: number;
  withoutPolicyMicros: number;
  /** Median over rounds of (policy round time / plain round time). */
  medianRoundRatio: number;
  /** Compactions during the timed appends (policy thread). */
  compactions: number;
  /** Bytes of the policy thread's journal at the end, and of the other one. */
  policyJournalBytes: number;
  plainJournalBytes: number;
}

/** Per-append time on a thread with maxEntries 1000 vs one without a policy, both at `prefill` appends. */
export async function benchPolicyAppendCost(
  options: { prefill?: number; timedAppends?: number; rounds?: number; durability?: FileDurability } = {},
): Promise<PolicyAppendCostResult> {
  const durability = options.durability ?? DEFAULT_FILE_DURABILITY;
  const prefill = options.prefill ?? 100_000;
  const timed = options.timedAppends ?? 5000;
  // Short rounds, alternating: flush latency drifts over seconds on a shared disk, and both threads must see the same drift.
  const rounds = options.rounds ?? Math.max(2, Math.round(timed / 25));
  const directory = await mkdtemp(join(tmpdir(), 'cryo-bench-policy-'));
  try {
    const storage = await createFileStorage({ directory, durability });
    const payload = { text: 'x'.repeat(100) };
    const threads = { policy: 'with-policy', plain: 'without-policy' };
    for (const [name, threadId] of Object.entries(threads)) {
      const retention = name === 'policy' ? { maxEntries: 1000 } : undefined;
      // Prefilled one append at a time too: every append applies the policy (and compacts in turn).
      for (let i = 0; i < prefill; i += 100) {
        await Promise.all(Array.from({ length: 100 }, () => storage.appendEntries({ threadId, entries: [{ payload }], ...(retention ? { retention } : {}) })));
      }
    }
    const spent = { policy: 0, plain: 0 };
    const ratios: number[] = [];
    const compactionsBefore = storage.stats().compactions;
    const perRound = Math.ceil(timed / rounds);
    for (let r = 0; r < rounds; r++) {
      const round = { policy: 0, plain: 0 };
      for (const name of (r % 2 ? ['plain', 'policy'] : ['policy', 'plain']) as ('policy' | 'plain')[]) {
        const started = performance.now();
        for (let i = 0; i < perRound; i++) await storage.appendEntries({ threadId: threads[name], entries: [{ payload }] });
        round[name] = performance.now() - started;
        spent[name] += round[name];
      }
      ratios.push(round.policy / round.plain);
    }
    ratios.sort((a, b) => a - b);
    await storage.compactions();
    const compactions = storage.stats().compactions - compactionsBefore;
    const head = await storage.getThread({ threadId: threads.policy });
    if (!head || head.rev - head.firstSeq !== 1000) throw new Error(`policy thread holds ${head && head.rev - head.firstSeq} entries, expected 1000`);
    await storage.close();
    const journals = join(directory, 'threads');
    const sizes = await Promise.all((await readdir(journals)).map(async (f) => ({ f, size: (await stat(join(journals, f))).size })));
    sizes.sort((a, b) => a.size - b.size);
    return {
      durability,
      prefill,
      timedAppends: perRound * rounds,
      withPolicyMicros: (spent.policy * 1000) / (perRound * rounds),
      withoutPolicyMicros: (spent.plain * 1000) / (perRound * rounds),
      medianRoundRatio: ratios[Math.floor(ratios.length / 2)]!,
      compactions,
      policyJournalBytes: sizes[0]!.size,
      plainJournalBytes: sizes[1]!.size,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mb = Number(process.argv[2] ?? 50);
  const timedAppends = Number(process.argv[3] ?? 5000);
  const durability = (process.argv[4] as FileDurability | undefined) ?? DEFAULT_FILE_DURABILITY;
  const space = await benchTrimSpace({ journalBytes: mb * 2 ** 20, durability });
  const pct = (n: number): string => `${((100 * n) / space.before).toFixed(1)}%`;
  console.log(
    `[${durability}] ${space.entries} entries: ${(space.before / 2 ** 20).toFixed(1)} MiB on disk; after trimming 90%: ` +
      `${(space.afterTrim / 2 ** 20).toFixed(1)} MiB (${pct(space.afterTrim)}); after the next compaction: ` +
      `${(space.afterCompaction / 2 ** 20).toFixed(2)} MiB (${pct(space.afterCompaction)}) ${space.afterCompaction <= 0.15 * space.before ? 'MET' : 'MISS'} (target ≤ 15%); ` +
      `open ${space.openBeforeMs.toFixed(0)} ms before, ${space.openAfterMs.toFixed(0)} ms after`,
  );
  const cost = await benchPolicyAppendCost({ timedAppends, durability });
  const ratio = cost.withPolicyMicros / cost.withoutPolicyMicros;
  console.log(
    `[${durability}] append at ${cost.prefill} appends: ${cost.withPolicyMicros.toFixed(1)} µs with maxEntries 1000 vs ` +
      `${cost.withoutPolicyMicros.toFixed(1)} µs without (${ratio.toFixed(3)}×) ${ratio <= 1.2 ? 'MET' : 'MISS'} (target ≤ 1.2×; ` +
      `median round ratio ${cost.medianRoundRatio.toFixed(3)}); ` +
      `${cost.compactions} compactions during ${cost.timedAppends} timed appends; journals ${(cost.policyJournalBytes / 1024).toFixed(0)} KiB vs ${(cost.plainJournalBytes / 2 ** 20).toFixed(1)} MiB`,
  );
}
