/** Bounded load loops and small statistics for the benchmarks. */

/** Bounds of one {@link runConcurrent} measurement: it stops at whichever comes first. */
export interface LoopBounds {
  /** Concurrent workers, each awaiting its own operation in a loop. */
  concurrency: number;
  /** Wall-clock bound in milliseconds. */
  durationMs: number;
  /** Bound on completed operations across all workers. @default Infinity */
  maxOps?: number;
  /** Record each operation's latency (costs one performance.now() pair per op). @default false */
  recordLatency?: boolean;
}

/** What a bounded loop did. */
export interface LoopResult {
  ops: number;
  seconds: number;
  opsPerSecond: number;
  /** Per-operation latencies in ms, in completion order; empty unless recorded. */
  latenciesMs: number[];
}

/**
 * Runs `op` in `concurrency` parallel loops until `durationMs` has passed or `maxOps` operations
 * started, then awaits the ones in flight. `op(worker, n)` gets its worker index and that worker's
 * operation count. A rejection stops every loop and rejects (no silent error counting). Does NOT
 * warm up: callers run a short warm-up first when JIT state matters.
 */
export async function runConcurrent(
  bounds: LoopBounds,
  op: (worker: number, n: number) => Promise<unknown>,
): Promise<LoopResult> {
  const maxOps = bounds.maxOps ?? Number.POSITIVE_INFINITY;
  const latenciesMs: number[] = [];
  let started = 0;
  let failed = false;
  const t0 = performance.now();
  const deadline = t0 + bounds.durationMs;
  await Promise.all(
    Array.from({ length: bounds.concurrency }, async (_, worker) => {
      for (let n = 0; !failed && started < maxOps && performance.now() < deadline; n++) {
        started++;
        const s = bounds.recordLatency ? performance.now() : 0;
        try {
          await op(worker, n);
        } catch (error) {
          failed = true;
          throw error;
        }
        if (bounds.recordLatency) latenciesMs.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { ops: started, seconds, opsPerSecond: started / seconds, latenciesMs };
}

/** The p-th percentile (0..100) of `values` by nearest rank; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median of `values`; NaN for an empty list. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
