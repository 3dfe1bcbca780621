/**
 * Postgres adapter benchmarks, in one run against one PostgreSQL server (DATABASE_URL's, else the
 * machine's on 127.0.0.1:5432) in a database created here and dropped afterwards:
 * - appends/s through createPostgresStorage at 1 and 32 writers vs a raw `pg` single-row INSERT
 *   loop and vs Emmett's PostgreSQL event store `appendToStream` with an expected version, at the
 *   same concurrency and the same pool size, variants in interleaved rounds;
 * - the cost of one append to a thread of 100,000 entries vs one of 100, and to a thread with a
 *   maxEntries 1,000 policy after 100,000 appended entries (each append also drops one) vs the
 *   100,000-entry thread without a policy (interleaved samples);
 * - live latency across two instances: append on A → entry delivered to a subscriber on B, vs
 *   the same within one instance.
 *
 *   npx tsx bench/postgres-storage.ts [--seconds 3]
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { LiveHub } from '../src/live/live-hub.js';
import { createPostgresStorage } from '../src/storage/postgres/index.js';
import type { Storage } from '../src/storage/types.js';
import { createTestDatabase } from '../test/support/postgres-database.js';
import { measure } from './redis-storage.js';

/** Connections per pool, the same for the adapter, raw pg and Emmett. */
const POOL = 10;
const PAYLOAD = { role: 'assistant', text: 'x'.repeat(64), tokens: 42 };

/** One concurrency level's throughput figures. */
export interface PostgresThroughput {
  concurrency: number;
  /** appendEntries, 1 entry, one thread per writer, unconditional. */
  adapterPerSec: number;
  /** appendEntries with expectedRev (the exactly-once path). */
  adapterCasPerSec: number;
  /** Raw pg: INSERT of one row (writer, seq, JSON body) into a table with a primary key. */
  rawInsertPerSec: number;
  /** Emmett appendToStream, 1 event, expectedStreamVersion given. */
  emmettPerSec: number;
}

/** What one run measured. */
export interface PostgresBenchResult {
  seconds: number;
  serverVersion: string;
  throughput: PostgresThroughput[];
  /**
   * Median ms of one 1-entry append to a thread of ~100,000 entries, to one of ~100, and to one
   * with retention maxEntries 1,000 after ~100,000 appended (1,000 stored).
   */
  appendCost: { longMs: number; shortMs: number; cappedMs: number; samples: number };
  /** Median and p99 ms from the append call to delivery on a subscriber, across instances and within one. */
  live: { acrossP50: number; acrossP99: number; localP50: number; localP99: number; samples: number };
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

/** Runs the benchmark and returns the figures. */
export async function benchPostgresStorage(options: { seconds?: number; costSamples?: number; liveSamples?: number } = {}): Promise<PostgresBenchResult> {
  const seconds = options.seconds ?? 3;
  const db = await createTestDatabase();
  const url = db.url;
  const pool = new pg.Pool({ connectionString: url, max: POOL });
  pool.on('error', () => {});
  const emmettPool = new pg.Pool({ connectionString: url, max: POOL });
  emmettPool.on('error', () => {});
  const storage = await createPostgresStorage({ url, poolSize: POOL, timeoutMs: 30_000 });
  const other = await createPostgresStorage({ url, poolSize: 2, timeoutMs: 30_000 });
  const emmett = getPostgreSQLEventStore(url, { connectionOptions: { pooled: true, pool: emmettPool } });
  try {
    const serverVersion = String((await pool.query('SHOW server_version')).rows[0].server_version);
    await pool.query('CREATE TABLE raw_entries (stream text NOT NULL, seq bigint NOT NULL, body text NOT NULL, PRIMARY KEY (stream, seq))');
    await emmett.schema.migrate();
    const body = JSON.stringify({ id: 'x', at: new Date().toISOString(), kind: 'note', payload: PAYLOAD, refs: {} });
    const throughput: PostgresThroughput[] = [];
    for (const concurrency of [1, 32]) {
      const tag = `c${concurrency}`;
      const revs = new Map<number, number>();
      const emmettVersions = new Map<number, bigint>();
      const [adapterPerSec, adapterCasPerSec, rawInsertPerSec, emmettPerSec] = (await measure(concurrency, seconds, [
        (w) => storage.appendEntries({ threadId: `${tag}-w${w}`, entries: [{ payload: PAYLOAD }] }),
        async (w, i) => {
          const rev = revs.get(w) ?? 0;
          await storage.appendEntries({ threadId: `${tag}-cas${w}`, entries: [{ id: `e${i}`, payload: PAYLOAD }], expectedRev: rev });
          revs.set(w, rev + 1);
        },
        (w, i) => pool.query({ name: 'raw-insert', text: 'INSERT INTO raw_entries (stream, seq, body) VALUES ($1, $2, $3)', values: [`${tag}-r${w}`, i, body] }),
        async (w) => {
          const version = emmettVersions.get(w) ?? 0n;
          const result = await emmett.appendToStream(`${tag}-s${w}`, [{ type: 'note', data: PAYLOAD }], { expectedStreamVersion: version });
          emmettVersions.set(w, result.nextExpectedStreamVersion);
        },
      ])) as [number, number, number, number];
      throughput.push({
        concurrency,
        adapterPerSec: Math.round(adapterPerSec),
        adapterCasPerSec: Math.round(adapterCasPerSec),
        rawInsertPerSec: Math.round(rawInsertPerSec),
        emmettPerSec: Math.round(emmettPerSec),
      });
    }

    // Append cost vs journal length: fill one thread to 100,000 entries, another to 100.
    const long = `long-${randomBytes(3).toString('hex')}`;
    const short = `short-${randomBytes(3).toString('hex')}`;
    const capped = `capped-${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < 100; i++) {
      await storage.appendEntries({ threadId: long, entries: Array.from({ length: 1000 }, () => ({ payload: PAYLOAD })) });
      await storage.appendEntries({
        threadId: capped,
        entries: Array.from({ length: 1000 }, () => ({ payload: PAYLOAD })),
        retention: { maxEntries: 1000 },
      });
    }
    await storage.appendEntries({ threadId: short, entries: Array.from({ length: 100 }, () => ({ payload: PAYLOAD })) });
    await pool.query('VACUUM ANALYZE');
    const samples = options.costSamples ?? 400;
    const longMs: number[] = [];
    const shortMs: number[] = [];
    const cappedMs: number[] = [];
    const time = async (threadId: string, into: number[]): Promise<void> => {
      const started = performance.now();
      await storage.appendEntries({ threadId, entries: [{ payload: PAYLOAD }] });
      into.push(performance.now() - started);
    };
    const variants: [string, number[]][] = [
      [long, longMs],
      [short, shortMs],
      [capped, cappedMs],
    ];
    for (let i = 0; i < samples; i++) {
      // Rotate the order so none always runs first.
      for (let k = 0; k < variants.length; k++) {
        const [threadId, into] = variants[(i + k) % variants.length]!;
        await time(threadId, into);
      }
    }

    // Live latency: a subscriber on B; appends on A (across) or on B (local), one at a time.
    const hub = new LiveHub(storage as Storage);
    const liveThread = `live-${randomBytes(3).toString('hex')}`;
    await other.appendEntries({ threadId: liveThread, entries: [{}] });
    const subscription = await hub.threadEntries({ namespace: 'default', threadId: liveThread });
    await subscription.next();
    const across: number[] = [];
    const local: number[] = [];
    const liveSamples = options.liveSamples ?? 200;
    for (let i = 0; i < liveSamples; i++) {
      for (const [writer, into] of [
        [other, across],
        [storage, local],
      ] as const) {
        const started = performance.now();
        const appended = writer.appendEntries({ threadId: liveThread, entries: [{}] });
        for (;;) {
          const { value } = await subscription.next();
          if (value?.type === 'entry') break;
        }
        into.push(performance.now() - started);
        await appended;
      }
    }
    await subscription.return?.();
    await hub.close();
    const round = (n: number): number => Number(n.toFixed(3));
    return {
      seconds,
      serverVersion,
      throughput,
      appendCost: {
        longMs: round(quantile(longMs, 0.5)),
        shortMs: round(quantile(shortMs, 0.5)),
        cappedMs: round(quantile(cappedMs, 0.5)),
        samples,
      },
      live: {
        acrossP50: round(quantile(across, 0.5)),
        acrossP99: round(quantile(across, 0.99)),
        localP50: round(quantile(local, 0.5)),
        localP99: round(quantile(local, 0.99)),
        samples: liveSamples,
      },
    };
  } finally {
    await emmett.close().catch(() => {});
    await storage.close();
    await other.close();
    await pool.end().catch(() => {});
    await emmettPool.end().catch(() => {});
    await db.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--seconds');
  const seconds = at > 0 ? Number(process.argv[at + 1]) : 3;
  console.log(JSON.stringify(await benchPostgresStorage({ seconds }), null, 2));
}
