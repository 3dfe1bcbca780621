/**
 * Live journals benchmark (`npx tsx bench/live.ts [--quick] [--subscribers N] [--instances 2
 * --storage redis://…] [--no-baseline] [--burst N] [--rate N] [--seconds N]`): graphql-ws
 * subscribers of one thread on Cryo servers (memory storage by default, production settings) —
 * delay from append acknowledgement to delivery at a steady append rate, the highest delivery
 * rate in a burst, the same burst on a bare graphql-ws fan-out baseline, and server heap per idle
 * subscriber. With several instances (a shared Redis; the extra ones in child processes), the
 * subscribers are split evenly between them and every append goes to the first, so most
 * deliveries cross the change feed; heap and storage reads are the first instance's. Clients run
 * in a worker thread (their own event loop, same machine). Every wait is bounded.
 */
import { fork } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { buildApp, type App } from '../src/app.js';
import { defineConfig } from '../src/config.js';
import { BASELINE_QUERY, startBaseline } from './live-baseline.js';
import type { WorkerCommand, WorkerReply } from './live-clients.js';

/** Options of {@link benchLive}. */
export interface LiveBenchOptions {
  /** Subscribers (one graphql-ws socket each), over all instances. @default 1000 */
  subscribers?: number;
  /** Storage URL of the servers. @default 'memory:' */
  storage?: string;
  /** Server instances sharing `storage` (> 1 needs a shared backend: Redis, Postgres); the first in this process. @default 1 */
  instances?: number;
  /** Also measure the bare graphql-ws fan-out. @default true */
  baseline?: boolean;
  /** Steady append rate for the latency phase. @default 5 */
  appendsPerSecond?: number;
  /** Length of the latency phase. @default 10 (quick: 4) */
  latencySeconds?: number;
  /** Entries appended as fast as possible in the burst phase. @default 200 (quick: 60) */
  burstEntries?: number;
  /** Entries per append in the burst. @default 10 */
  burstBatch?: number;
  /** Smaller, faster settings. @default false */
  quick?: boolean;
  /** Bound on every single wait (ms). @default 120000 */
  waitTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Figures of one run. Times in ms, rates per second, memory in bytes. */
export interface LiveBenchResult {
  subscribers: number;
  instances: number;
  storage: string;
  latency: {
    appends: number;
    samples: number;
    /** Delivery time minus the time the writer got its acknowledgement (can be < 0: delivered first). */
    ackToDeliveryP50Ms: number;
    ackToDeliveryP99Ms: number;
    ackToDeliveryMaxMs: number;
    /** Delivery time minus the time the append request was sent. */
    sendToDeliveryP50Ms: number;
    sendToDeliveryP99Ms: number;
    /** The baseline at the same rate: delivery time minus publish time (null: not measured). */
    baselinePublishToDeliveryP50Ms: number | null;
    baselinePublishToDeliveryP99Ms: number | null;
    /** Storage range reads by the LiveHub during the phase (shared per notification, and per subscriber). */
    sharedReads: number;
    ownReads: number;
  };
  burst: {
    cryo: { messages: number; seconds: number; messagesPerSecond: number };
    baseline: { messages: number; seconds: number; messagesPerSecond: number } | null;
    /** cryo / baseline (null: no baseline). */
    ratio: number | null;
  };
  memory: { heapBytesPerIdleSubscriber: number };
}

const now = (): number => performance.timeOrigin + performance.now();

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

/** The last arrival time over all seqs and subscribers. */
function latest(arrivals: number[][]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const times of arrivals) for (const t of times) if (t > max) max = t;
  return max;
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Past this many subscribers the clients run in a child process (server + clients would pass a 20,000 descriptor limit). */
const CLIENTS_IN_WORKER_MAX = 5000;

/**
 * The client worker (a child process when `separateProcess`), with a typed request/reply helper
 * bounded by `timeoutMs`. Arrival times are wall-clock based in both cases (timeOrigin + now).
 */
function startClients(timeoutMs: number, separateProcess: boolean) {
  const api = import.meta.resolve('tsx/esm/api');
  const file = new URL('./live-clients.ts', import.meta.url).href;
  const worker = separateProcess
    ? fork(fileURLToPath(file), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    : new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); })`, { eval: true });
  const post = (command: WorkerCommand) => (worker instanceof Worker ? worker.postMessage(command) : worker.send(command));
  const replies: WorkerReply[] = [];
  let waiter: (() => void) | null = null;
  let failure: Error | null = null;
  worker.on('message', (reply: WorkerReply) => {
    if (reply.type === 'failed') failure ??= new Error(reply.message);
    else replies.push(reply);
    waiter?.();
  });
  worker.on('error', (error) => {
    failure ??= error;
    waiter?.();
  });
  async function request<T extends WorkerReply['type']>(command: WorkerCommand, type: T): Promise<Extract<WorkerReply, { type: T }>> {
    post(command);
    return reply(type);
  }
  async function reply<T extends WorkerReply['type']>(type: T): Promise<Extract<WorkerReply, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (failure) throw failure;
      const at = replies.findIndex((r) => r.type === type);
      if (at >= 0) return replies.splice(at, 1)[0] as Extract<WorkerReply, { type: T }>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`live bench: no '${type}' from the clients within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
  const terminate = async () => {
    if (worker instanceof Worker) await worker.terminate();
    else if (worker.exitCode === null) await new Promise((resolve) => worker.once('exit', resolve).kill());
  };
  return { request, reply, terminate };
}

const WARMUP = 5;

/**
 * Runs `act(i)` `count` times, paced at `rate` per second, while the clients track the seqs
 * fromSeq..fromSeq+count-1; resolves once every subscriber received all of them.
 */
async function paced<T>(
  clients: ReturnType<typeof startClients>,
  fromSeq: number,
  count: number,
  rate: number,
  act: (i: number) => Promise<T> | T,
): Promise<{ arrivals: number[][]; results: T[] }> {
  await clients.request({ type: 'track', fromSeq, count }, 'tracking');
  const results: T[] = [];
  const start = now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    results.push(await act(i));
  }
  const { arrivals } = await clients.reply('tracked');
  return { arrivals, results };
}

/** Starts one more server instance in a child process; resolves once it listens. */
function startInstance(storage: string, subscribers: number): Promise<{ url: string; stop(): Promise<void> }> {
  const file = fileURLToPath(new URL('./lib/live-instance.ts', import.meta.url));
  const child = fork(file, ['--storage', storage, '--subscribers', String(subscribers)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const stop = () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()).kill('SIGTERM')));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, stop });
    });
    child.once('exit', (code) => reject(new Error(`live bench: instance exited (${code}) before listening`)));
  });
}

/** POSTs a JSON body with fetch (kept-alive connections); resolves with the parsed response. */
async function postWithFetch(url: string, body: string): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return response.json();
}

/** POSTs a JSON body on a connection of its own (closed after the response). */
function postWithoutKeepAlive(url: string, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SUBSCRIPTION = /* GraphQL */ `
  subscription($threadId: ID!) {
    threadEntries(threadId: $threadId) { __typename ... on Entry { seq id kind } ... on CaughtUp { rev } }
  }
`;
const APPEND = /* GraphQL */ `
  mutation($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename ... on AppendEntriesSuccess { entries { seq } } } }
`;

/** Parses the command-line flags of bench/live.ts (also used by bench/lib/live-child.ts). */
export function liveArgs(argv: string[]): LiveBenchOptions {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const number = (flag: string): number | undefined => (value(flag) === undefined ? undefined : Number(value(flag)));
  return {
    quick: argv.includes('--quick'),
    subscribers: number('--subscribers'),
    storage: value('--storage'),
    instances: number('--instances'),
    baseline: !argv.includes('--no-baseline'),
    burstEntries: number('--burst'),
    appendsPerSecond: number('--rate'),
    latencySeconds: number('--seconds'),
  };
}

/** Runs the live benchmark and returns its figures. Starts and stops its own servers and worker. */
export async function benchLive(options: LiveBenchOptions = {}): Promise<LiveBenchResult> {
  const quick = options.quick ?? false;
  const subscribers = options.subscribers ?? 1000;
  const storage = options.storage ?? 'memory:';
  const instances = Math.max(1, options.instances ?? 1);
  if (instances > 1 && storage.startsWith('memory:')) throw new Error('live bench: several instances need a shared storage (redis://…)');
  const rate = options.appendsPerSecond ?? 5;
  const latencySeconds = options.latencySeconds ?? (quick ? 4 : 10);
  const burstEntries = options.burstEntries ?? (quick ? 60 : 200);
  const burstBatch = options.burstBatch ?? 10;
  const timeoutMs = options.waitTimeoutMs ?? 120_000;
  const log = options.log ?? (() => undefined);
  const gc = gcFunction();

  // Every subscriber is the same (anonymous, loopback) client: lift its fair-use caps to the count.
  const auth = { maxSocketsPerClient: subscribers, maxSubscriptionsPerClient: subscribers };
  const app: App = await buildApp(defineConfig({ port: 0, storage, production: true, logLevel: 'silent', shutdownGraceMs: 1000, auth }), {
    dashboardDir: null,
    operationsDir: null,
  });
  const url = (await app.start()).url;
  // The other instances run in processes of their own (bench/lib/live-instance.ts), as deployed.
  const others = await Promise.all(Array.from({ length: instances - 1 }, () => startInstance(storage, subscribers)));
  const urls = [url, ...others.map((o) => o.url)];
  const reads = () => app.live.stats().reads;
  const clients = startClients(timeoutMs, subscribers > CLIENTS_IN_WORKER_MAX);
  const threadId = `bench-${Date.now()}`;
  // Past a few thousand subscribers a fan-out blocks the server long enough for a kept-alive
  // connection to be closed under an append in flight (fetch: "other side closed"); appends are
  // not safely retryable, so those runs open one connection per append instead.
  const post = subscribers > CLIENTS_IN_WORKER_MAX ? postWithoutKeepAlive : postWithFetch;
  const append = async (count: number): Promise<{ sent: number; ack: number; seqs: number[] }> => {
    const sent = now();
    const body = (await post(
      `${url}graphql`,
      JSON.stringify({ query: APPEND, variables: { input: { threadId, entries: Array.from({ length: count }, () => ({ kind: 'bench' })) } } }),
    )) as { data?: { appendEntries: { entries?: { seq: number }[] } } };
    const ack = now();
    const seqs = body.data?.appendEntries.entries?.map((e) => e.seq);
    if (!seqs) throw new Error(`live bench: append failed: ${JSON.stringify(body)}`);
    return { sent, ack, seqs };
  };

  try {
    await append(1);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    log(`live: opening ${subscribers} graphql-ws subscribers on ${instances} instance(s) (${storage.replace(/\/\/.*@/, '//')})`);
    for (let i = 0; i < instances; i++) {
      const count = Math.floor(subscribers / instances) + (i < subscribers % instances ? 1 : 0);
      await clients.request(
        { type: 'open', url: `${urls[i]!.replace(/^http/, 'ws')}graphql`, count, query: SUBSCRIPTION, variables: { threadId }, field: 'threadEntries' },
        'opened',
      );
    }
    gc();
    const heapPerSubscriber = (process.memoryUsage().heapUsed - heapBefore) / Math.ceil(subscribers / instances);

    const appends = Math.max(1, Math.round(latencySeconds * rate));
    log(`live: ${WARMUP} warm-up appends, then ${appends} appends at ${rate}/s`);
    await paced(clients, 1, WARMUP, rate, () => append(1));
    const readsBefore = reads();
    const steady = await paced(clients, 1 + WARMUP, appends, rate, () => append(1));
    const readsAfter = reads();
    const ackDelays = steady.arrivals.flatMap((times, i) => times.map((t) => t - steady.results[i]!.ack));
    const sendDelays = steady.arrivals.flatMap((times, i) => times.map((t) => t - steady.results[i]!.sent));

    log(`live: burst of ${burstEntries} entries (batches of ${burstBatch}) to ${subscribers} subscribers`);
    await clients.request({ type: 'track', fromSeq: 1 + WARMUP + appends, count: burstEntries }, 'tracking');
    const burstStart = now();
    const writes: Promise<unknown>[] = [];
    for (let done = 0; done < burstEntries; done += burstBatch) writes.push(append(Math.min(burstBatch, burstEntries - done)));
    await Promise.all(writes);
    const burst = await clients.reply('tracked');
    const cryoSeconds = (latest(burst.arrivals) - burstStart) / 1000;
    const cryoMessages = burstEntries * subscribers;
    await clients.request({ type: 'close' }, 'closed');

    let baselineSeconds: number | null = null;
    let baselineDelays: number[] = [];
    if (options.baseline ?? true) {
    log(`live: baseline fan-out, same rate and same burst`);
    const baseline = await startBaseline();
    try {
      await clients.request({ type: 'open', url: baseline.url, count: subscribers, query: BASELINE_QUERY, variables: { threadId }, field: 'threadEntries' }, 'opened');
      const publish = (seq: number) => () => {
        const at = now();
        baseline.publish({ id: `e${seq}`, threadId, seq, kind: 'bench' });
        return at;
      };
      await paced(clients, 0, WARMUP, rate, (i) => publish(i)());
      const steadyBaseline = await paced(clients, WARMUP, appends, rate, (i) => publish(WARMUP + i)());
      baselineDelays = steadyBaseline.arrivals.flatMap((times, i) => times.map((t) => t - steadyBaseline.results[i]!));
      const from = WARMUP + appends;
      await clients.request({ type: 'track', fromSeq: from, count: burstEntries }, 'tracking');
      const t0 = now();
      for (let seq = from; seq < from + burstEntries; seq++) publish(seq)();
      const result = await clients.reply('tracked');
      baselineSeconds = (latest(result.arrivals) - t0) / 1000;
      await clients.request({ type: 'close' }, 'closed');
    } finally {
      await baseline.close();
    }
    }

    const cryoRate = cryoMessages / cryoSeconds;
    const baselineRate = baselineSeconds === null ? null : cryoMessages / baselineSeconds;
    return {
      subscribers,
      instances,
      storage: storage.replace(/\/\/.*@/, '//').replace(/^(\w+):.*$/, '$1'),
      latency: {
        appends,
        samples: ackDelays.length,
        ackToDeliveryP50Ms: round(percentile(ackDelays, 50)),
        ackToDeliveryP99Ms: round(percentile(ackDelays, 99)),
        ackToDeliveryMaxMs: round(ackDelays.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY)),
        sendToDeliveryP50Ms: round(percentile(sendDelays, 50)),
        sendToDeliveryP99Ms: round(percentile(sendDelays, 99)),
        baselinePublishToDeliveryP50Ms: baselineDelays.length ? round(percentile(baselineDelays, 50)) : null,
        baselinePublishToDeliveryP99Ms: baselineDelays.length ? round(percentile(baselineDelays, 99)) : null,
        sharedReads: readsAfter.sharedReads - readsBefore.sharedReads,
        ownReads: readsAfter.ownReads - readsBefore.ownReads,
      },
      burst: {
        cryo: { messages: cryoMessages, seconds: round(cryoSeconds, 3), messagesPerSecond: Math.round(cryoRate) },
        baseline: baselineSeconds === null || baselineRate === null ? null : { messages: cryoMessages, seconds: round(baselineSeconds, 3), messagesPerSecond: Math.round(baselineRate) },
        ratio: baselineRate === null ? null : round(cryoRate / baselineRate, 2),
      },
      memory: { heapBytesPerIdleSubscriber: Math.round(heapPerSubscriber) },
    };
  } finally {
    await clients.terminate();
    await app.stop();
    await Promise.all(others.map((o) => o.stop()));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const watchdog = setTimeout(() => {
    console.error('live bench: gave up after 10 minutes');
    process.exit(2);
  }, 600_000);
  benchLive({ ...liveArgs(process.argv.slice(2)), log: (line) => console.error(line) })
    .then((result) => {
      console.log(JSON.stringify(result, null, 2));
      clearTimeout(watchdog);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
