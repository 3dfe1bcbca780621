import { benchPostgresStorage } from '../postgres-storage.js';
import type { Row } from './table.js';

/**
 * The Postgres rows, from bench/postgres-storage.ts (one run, one server, a database created and
 * dropped by the bench): adapter appends/s at 1 and 32 writers vs a raw `pg` single-row INSERT
 * loop (target ≥ 0.5×) and vs Emmett's PostgreSQL event store `appendToStream` with an expected
 * version (target ≥ 1.0×); the cost of an append to a 100,000-entry thread vs a 100-entry one
 * (target ≤ 1.3×); the cost of an append to a thread with maxEntries 1,000 after 100,000
 * appended vs the 100,000-entry thread without a policy (target ≤ 1.2×, issue 12); live latency
 * across two instances vs within one (no target). A failure
 * becomes "not measured" rows with the reason; nothing is retried.
 */
export async function postgresRows(options: { seconds: number; costSamples: number; liveSamples: number }): Promise<Row[]> {
  const section = 'Postgres';
  let note = '';
  let r: Awaited<ReturnType<typeof benchPostgresStorage>> | undefined;
  try {
    r = await benchPostgresStorage(options);
    note = `PostgreSQL ${r.serverVersion}; pools of 10 connections each; ${r.seconds} s per variant in interleaved rounds (bench/postgres-storage.ts)`;
  } catch (error) {
    note = `failed: ${(error as Error).message}`;
  }
  const at = (c: number) => r?.throughput.find((t) => t.concurrency === c);
  const rows: Row[] = [];
  for (const c of [1, 32]) {
    const t = at(c);
    rows.push(
      {
        section,
        name: `appendEntries at ${c} writer${c > 1 ? 's' : ''}, Postgres adapter vs raw pg single-row INSERT`,
        value: t?.adapterPerSec ?? null,
        unit: 'appends/s',
        baseline: { name: 'raw INSERT', value: t?.rawInsertPerSec ?? null },
        target: { on: 'ratio', kind: 'min', bound: 0.5 },
        note: c === 1 ? note : undefined,
      },
      {
        section,
        name: `appendEntries with expectedRev at ${c} writer${c > 1 ? 's' : ''}, Postgres adapter vs Emmett appendToStream with expected version`,
        value: t?.adapterCasPerSec ?? null,
        unit: 'appends/s',
        baseline: { name: 'Emmett', value: t?.emmettPerSec ?? null },
        target: { on: 'ratio', kind: 'min', bound: 1.0 },
      },
    );
  }
  rows.push(
    {
      section,
      name: 'append cost, Postgres adapter, thread of 100,000 entries vs 100 (median of 1-entry appends)',
      value: r?.appendCost.longMs ?? null,
      unit: 'ms',
      baseline: { name: '100 entries', value: r?.appendCost.shortMs ?? null },
      target: { on: 'ratio', kind: 'max', bound: 1.3 },
      note: r ? `${r.appendCost.samples} interleaved samples each` : note,
    },
    {
      section,
      name: 'append cost, Postgres adapter, thread with maxEntries 1,000 after 100,000 appended vs no policy (100,000 entries) (median of 1-entry appends)',
      value: r?.appendCost.cappedMs ?? null,
      unit: 'ms',
      baseline: { name: 'no policy', value: r?.appendCost.longMs ?? null },
      target: { on: 'ratio', kind: 'max', bound: 1.2 },
      note: r ? `${r.appendCost.samples} interleaved samples each; every append to the capped thread also drops its oldest entry` : note,
    },
    {
      section,
      name: 'live latency, append on instance A → entry on a subscriber on B (p50), vs within one instance',
      value: r?.live.acrossP50 ?? null,
      unit: 'ms',
      baseline: { name: 'same instance', value: r?.live.localP50 ?? null },
      note: r ? `p99 ${r.live.acrossP99} ms vs ${r.live.localP99} ms; ${r.live.samples} appends each, one at a time, measured from the append call` : note,
    },
  );
  return rows;
}
