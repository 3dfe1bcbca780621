/**
 * Our storage beside peer libraries, in process, same payloads, same concurrency:
 * memory checkpoints vs LangGraph's MemorySaver (put + getTuple), memory appends vs Emmett's
 * in-memory event store (appendToStream with an expected version), and — through
 * bench/redis-storage.ts — the Redis adapter vs raw node-redis.
 */
import { randomUUID } from 'node:crypto';
import { getInMemoryEventStore } from '@event-driven-io/emmett';
import { emptyCheckpoint, MemorySaver, uuid6 } from '@langchain/langgraph-checkpoint';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { runConcurrent, type LoopResult } from './lib/stats.js';
import type { Row } from './lib/table.js';
import { checkpointState } from './storage-inprocess.js';

/** Options of {@link benchPeers}. */
export interface PeerBenchOptions {
  /** Wall-clock bound of each loop. */
  durationMs: number;
  /** @default 32 */
  concurrency?: number;
  /** Both sides move to a fresh stream/thread after this many appends. @default 100 */
  streamLength?: number;
  /** Rounds, interleaved (ours, peer, ours, peer…); the best of each side counts. @default 1 */
  rounds?: number;
  /** @default 100 */
  payloadBytes?: number;
  /** An unmeasured first pass of every loop, this long each (0: none). @default 300 */
  warmupMs?: number;
  log?: (line: string) => void;
}

const SECTION = 'Peers';

/**
 * Measures the two in-memory peer pairs and returns their rows (targets from issue 17: checkpoint
 * put + get ≥ 3× MemorySaver, append ≥ 1.3× Emmett).
 * Each side gets a fresh store per round. A peer that fails to load or run gets a row with
 * value null and the error as its note; ours failing rejects. Does NOT include the Redis pair:
 * run.ts adds it from bench/redis-storage.ts.
 */
export async function benchPeers(options: PeerBenchOptions): Promise<Row[]> {
  const log = options.log ?? (() => {});
  const concurrency = options.concurrency ?? 32;
  const streamLength = options.streamLength ?? 100;
  const rounds = options.rounds ?? 1;
  const payload = { text: 'x'.repeat(options.payloadBytes ?? 100) };
  const warmupMs = options.warmupMs ?? 300;
  // Round -1 (when warmupMs > 0) runs every loop once unmeasured, so no side is timed cold.
  let warming = false;
  let bounds = { concurrency, durationMs: options.durationMs };
  const best = { oursCp: 0, saver: 0, oursAppend: 0, emmett: 0 };
  // Process CPU (all threads, so GC helpers count) per operation, lowest over the rounds: steadier
  // than ops/s when other jobs share the cores.
  const cpuPerOp: Record<keyof typeof best, number> = { oursCp: Infinity, saver: Infinity, oursAppend: Infinity, emmett: Infinity };
  const errors: Partial<Record<keyof typeof best, string>> = {};
  const attempt = async (key: keyof typeof best, run: () => Promise<LoopResult>): Promise<void> => {
    if (errors[key]) return;
    try {
      const cpu0 = process.cpuUsage();
      const r = await run();
      const cpu = process.cpuUsage(cpu0);
      if (warming) return;
      const perSecond = r.opsPerSecond;
      best[key] = Math.max(best[key], perSecond);
      if (r.ops > 0) cpuPerOp[key] = Math.min(cpuPerOp[key], (cpu.user + cpu.system) / r.ops);
      log(`  peers ${key}: ${Math.round(perSecond)}/s, ${cpuPerOp[key].toFixed(1)} µs CPU/op`);
    } catch (error) {
      if (key.startsWith('ours')) throw error;
      errors[key] = (error as Error).message;
    }
  };

  for (let round = warmupMs > 0 ? -1 : 0; round < rounds; round++) {
    warming = round < 0;
    bounds = { concurrency, durationMs: warming ? warmupMs : options.durationMs };
    await attempt('oursCp', async () => {
      const storage = createMemoryStorage();
      try {
        const agentType = 'bench';
        const r = await runConcurrent(bounds, async (w, n) => {
          await storage.putCheckpoint({ agentType, agentId: `agent-${w}`, state: checkpointState(n) });
          const got = await storage.getCheckpoint({ agentType, agentId: `agent-${w}` });
          if (got?.rev !== n + 1) throw new Error('memory checkpoint lost a write');
        });
        return r;
      } finally {
        await storage.close();
      }
    });
    await attempt('saver', async () => {
      const saver = new MemorySaver();
      const configs: Parameters<MemorySaver['put']>[0][] = Array.from({ length: concurrency }, (_, w) => ({
        configurable: { thread_id: `agent-${w}`, checkpoint_ns: '' },
      }));
      const r = await runConcurrent(bounds, async (w, n) => {
        const checkpoint = { ...emptyCheckpoint(), id: uuid6(n), channel_values: checkpointState(n) };
        const config = await saver.put(configs[w]!, checkpoint, { source: 'loop', step: n, parents: {} });
        const tuple = await saver.getTuple(config);
        if ((tuple?.checkpoint.channel_values as { step?: number } | undefined)?.step !== n) throw new Error('MemorySaver lost a write');
        configs[w] = config;
      });
      return r;
    });
    await attempt('oursAppend', async () => {
      const storage = createMemoryStorage();
      try {
        const prefix = randomUUID();
        const r = await runConcurrent(bounds, async (w, n) => {
          const rev = n % streamLength;
          await storage.appendEntries({
            threadId: `${prefix}-${w}-${Math.floor(n / streamLength)}`,
            entries: [{ kind: 'note', payload }],
            expectedRev: rev,
          });
        });
        return r;
      } finally {
        await storage.close();
      }
    });
    await attempt('emmett', async () => {
      const store = getInMemoryEventStore();
      const prefix = randomUUID();
      const r = await runConcurrent(bounds, async (w, n) => {
        const version = n % streamLength;
        await store.appendToStream(`${prefix}-${w}-${Math.floor(n / streamLength)}`, [{ type: 'note', data: payload }], {
          expectedStreamVersion: version === 0 ? 'STREAM_DOES_NOT_EXIST' : BigInt(version),
        });
      });
      return r;
    });
  }

  const value = (key: keyof typeof best): number | null => (errors[key] ? null : best[key]);
  const same = `${concurrency} concurrent loops, best of ${rounds}`;
  const cpu = (ours: keyof typeof best, peer: keyof typeof best): string =>
    `; CPU/op ${cpuPerOp[ours].toFixed(1)} µs vs ${cpuPerOp[peer].toFixed(1)} µs (peer÷ours ${(cpuPerOp[peer] / cpuPerOp[ours]).toFixed(2)})`;
  return [
    {
      section: SECTION,
      name: 'checkpoint put + get, memory vs LangGraph MemorySaver',
      value: value('oursCp'),
      unit: 'pairs/s',
      baseline: { name: 'MemorySaver put + getTuple', value: value('saver') },
      target: { on: 'ratio', kind: 'min', bound: 3.0 },
      note: errors.saver ?? `~1 KB state; ${same}; getTuple by the checkpoint_id put returned (MemorySaver's direct path)${cpu('oursCp', 'saver')}`,
    },
    {
      section: SECTION,
      name: 'append with expected version, memory vs Emmett in-memory',
      value: value('oursAppend'),
      unit: 'appends/s',
      baseline: { name: 'Emmett appendToStream', value: value('emmett') },
      target: { on: 'ratio', kind: 'min', bound: 1.3 },
      note: errors.emmett ?? `one ${options.payloadBytes ?? 100}-byte event per call; ${same}; a fresh stream every ${streamLength} appends on both sides${cpu('oursAppend', 'emmett')}`,
    },
  ];
}
