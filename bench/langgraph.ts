/**
 * A LangGraph run's checkpointer traffic, three savers, same run: CryoSaver over HTTP to a Cryo
 * server (its own process, file storage), LangGraph's PostgresSaver on this machine's PostgreSQL
 * (a database created for the run and dropped after), and MemorySaver in process. One step is
 * what a Pregel superstep does to its checkpointer: put (only the changed channel stored),
 * putWrites (one task's write), getTuple (the checkpoint just put, by id). A run is 20 steps;
 * `concurrency` runs go at once, each on its own thread.
 *
 *   npx tsx bench/langgraph.ts            (or `npm run bench -- --only langgraph`)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunnableConfig } from '@langchain/core/runnables';
import { type BaseCheckpointSaver, type Checkpoint, MemorySaver, uuid6 } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pg from 'pg';
import { CryoSaver } from '../src/langgraph/index.js';
import type { Row } from './lib/table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECTION = 'LangGraph';
const STEPS = 20;
const POSTGRES = 'postgresql://postgres@127.0.0.1:5432';

/** Options of {@link benchLangGraph}. */
export interface LangGraphBenchOptions {
  /** 20-step runs per saver per round. @default 10 */
  runs?: number;
  /** Runs in flight at once. @default 4 */
  concurrency?: number;
  /** Rounds, interleaved (Cryo, Postgres, Memory, …); the best of each saver counts. @default 2 */
  rounds?: number;
  log?: (line: string) => void;
}

/** One 20-step run on `threadId`; checks every tuple it reads back. */
async function graphRun(saver: BaseCheckpointSaver, threadId: string): Promise<void> {
  let config: RunnableConfig = { configurable: { thread_id: threadId, checkpoint_ns: '' } };
  const messages: string[] = [];
  for (let step = 0; step < STEPS; step += 1) {
    messages.push(`message ${step}: ${'x'.repeat(40)}`);
    const checkpoint: Checkpoint = {
      v: 4,
      id: uuid6(-1),
      ts: new Date().toISOString(),
      channel_values: { messages: [...messages], step, system: 'You are a helpful assistant. '.repeat(8) },
      channel_versions: { messages: step + 1, step: step + 1, system: 1 },
      versions_seen: { agent: { messages: step }, tools: { step } },
    };
    const newVersions: Record<string, number> = step === 0 ? { messages: 1, step: 1, system: 1 } : { messages: step + 1, step: step + 1 };
    config = await saver.put(config, checkpoint, { source: 'loop', step, parents: {} }, newVersions);
    await saver.putWrites(config, [['messages', `reply ${step}`]], `task-${step}`);
    const tuple = await saver.getTuple(config);
    if (tuple?.checkpoint.channel_values.step !== step || tuple.pendingWrites?.length !== 1) throw new Error(`${saver.constructor.name} lost step ${step}`);
  }
}

/** Steps per second over `runs` runs, `concurrency` at a time. */
async function measure(saver: BaseCheckpointSaver, runs: number, concurrency: number): Promise<number> {
  const prefix = randomBytes(4).toString('hex');
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let run = next++; run < runs; run = next++) await graphRun(saver, `bench-${prefix}-${run}`);
    }),
  );
  return (runs * STEPS) / ((performance.now() - started) / 1000);
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; undefined elsewhere). */
async function processCpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return undefined;
  }
}

/** A Cryo server as a child process (`src/main.ts`, production mode) on file storage in a temp dir. */
async function startCryoProcess(): Promise<{ url: string; pid: number | undefined; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cryo-bench-langgraph-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), '--storage', process.env.BENCH_CRYO_STORAGE ?? `file:${dir}`, '--port', '0', '--log-level', 'warn'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /GraphQL at (\S+),/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`cryo exited (${code}) before listening: ${out}`)));
  });
  return {
    url,
    pid: child.pid,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A database for this run on the machine's PostgreSQL, dropped by the returned cleanup. */
async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cryo_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: `${POSTGRES}/${name}`,
    drop: async () => {
      const client = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Measures the three savers and returns the rows (target: CryoSaver on file ≥ 0.5× PostgresSaver). */
export async function benchLangGraph(options: LangGraphBenchOptions = {}): Promise<Row[]> {
  const log = options.log ?? (() => {});
  const runs = options.runs ?? 10;
  const concurrency = options.concurrency ?? 4;
  const rounds = options.rounds ?? 2;
  const best = { cryo: 0, postgres: 0, memory: 0 };
  const cpu = { server: 0, client: 0, steps: 0 };
  const errors: Partial<Record<keyof typeof best, string>> = {};
  const cryo = await startCryoProcess();
  const cryoSaver = new CryoSaver({ url: cryo.url });
  let database: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let postgresSaver: PostgresSaver | undefined;
  try {
    try {
      database = await createDatabase();
      // Our own pool, so a connection that the final DROP DATABASE … WITH (FORCE) terminates
      // (the saver's end() can leave one behind) is an ignored pool error, not a crash of the bench.
      const pool = new pg.Pool({ connectionString: database.url });
      pool.on('error', () => {});
      postgresSaver = new PostgresSaver(pool);
      await postgresSaver.setup();
    } catch (error) {
      errors.postgres = `PostgreSQL unavailable: ${(error as Error).message}`;
    }
    const attempt = async (key: keyof typeof best, saver: BaseCheckpointSaver | undefined) => {
      if (!saver || errors[key]) return;
      try {
        const serverBefore = key === 'cryo' ? await processCpuMs(cryo.pid) : undefined;
        const clientBefore = process.cpuUsage();
        const perSecond = await measure(saver, runs, concurrency);
        const serverAfter = key === 'cryo' ? await processCpuMs(cryo.pid) : undefined;
        if (serverBefore !== undefined && serverAfter !== undefined) {
          const client = process.cpuUsage(clientBefore);
          cpu.server += serverAfter - serverBefore;
          cpu.client += (client.user + client.system) / 1000;
          cpu.steps += runs * STEPS;
        }
        best[key] = Math.max(best[key], perSecond);
        log(`  langgraph ${key}: ${perSecond.toFixed(0)} steps/s`);
      } catch (error) {
        if (key === 'cryo') throw error;
        errors[key] = (error as Error).message;
      }
    };
    await attempt('memory', new MemorySaver()); // warm-up of the shared code paths, not counted alone
    best.memory = 0;
    for (let round = 0; round < rounds; round += 1) {
      await attempt('cryo', cryoSaver);
      await attempt('postgres', postgresSaver);
      await attempt('memory', new MemorySaver());
    }
  } finally {
    await cryoSaver.close();
    await cryo.close();
    await postgresSaver?.end();
    await database?.drop();
  }
  const value = (key: keyof typeof best): number | null => (errors[key] ? null : best[key]);
  const how = `${runs} runs of ${STEPS} steps (put + putWrites + getTuple), ${concurrency} at once, best of ${rounds}`;
  return [
    {
      section: SECTION,
      name: 'CryoSaver over HTTP (server process, file storage) vs PostgresSaver (local PostgreSQL)',
      value: value('cryo'),
      unit: 'steps/s',
      baseline: { name: 'PostgresSaver', value: value('postgres') },
      target: { on: 'ratio', kind: 'min', bound: 0.5 },
      note: errors.postgres ?? `${how}; both durable before acknowledging (Cryo fsyncs, PostgreSQL commits)`,
    },
    {
      section: SECTION,
      name: 'CryoSaver step cost: Cryo server CPU per step (3 requests)',
      value: cpu.steps > 0 ? cpu.server / cpu.steps : null,
      unit: 'ms',
      note: cpu.steps > 0 ? `client side (the saver in the bench process): ${(cpu.client / cpu.steps).toFixed(2)} ms CPU per step` : 'needs Linux /proc',
    },
    {
      section: SECTION,
      name: 'CryoSaver over HTTP (file) vs MemorySaver (in process, nothing durable)',
      value: value('cryo'),
      unit: 'steps/s',
      baseline: { name: 'MemorySaver', value: value('memory') },
      note: errors.memory ?? how,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await benchLangGraph({ log: (line) => console.error(line) });
  for (const row of rows) {
    const ratio = row.value && row.baseline?.value ? (row.value / row.baseline.value).toFixed(2) : '—';
    console.log(`${row.name}: ${row.value?.toFixed(row.unit === 'ms' ? 2 : 0)} ${row.unit} vs ${row.baseline?.value?.toFixed(0)} (${row.baseline?.name}) = ${ratio}×  ${row.note ?? ''}`);
  }
}
