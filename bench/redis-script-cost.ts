/**
 * Server-side cost of the Redis adapter's APPEND script alone (bench/README.md, "Redis append
 * path"): runs of `--batch` appends (one thread per writer, `--threads` threads, the form the
 * adapter sends for a thread it has seen: `short`, or `--lean`) sent as raw EVALSHA, `--inflight`
 * runs at a time, then redis-server's CPU (INFO cpu) and the time Redis counted in the script and
 * in each command it called (INFO commandstats), per append. Against REDIS_URL (its other data is
 * left alone: keys use a random prefix), or a redis-server started here. For instruction counts,
 * run redis-server under `valgrind --tool=callgrind` and bracket two run lengths with
 * `callgrind_control -z` / `-d` (the difference ÷ the extra appends; see bench/README.md).
 *
 *   npx tsx bench/redis-script-cost.ts [--batch 16] [--runs 3000] [--threads 32] [--inflight 2] [--lean]
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { APPEND, appendCall, type AppendArgs } from '../src/storage/redis/scripts/append.js';
import { startRedis } from '../test/support/redis-server.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const batch = arg('batch', 16);
const runs = arg('runs', 3000);
const threads = arg('threads', 32);
const inflight = arg('inflight', 2);
const lean = process.argv.includes('--lean');

const own = process.env.REDIS_URL ? null : await startRedis();
const raw = createClient({ url: process.env.REDIS_URL ?? own!.url });
raw.on('error', () => {});
await raw.connect();
try {
  await raw.sendCommand(['SCRIPT', 'LOAD', APPEND.source]);
  const tag = randomBytes(4).toString('hex');
  const json = JSON.stringify({ id: 'x', at: new Date().toISOString(), kind: 'note', payload: { role: 'assistant', text: 'x'.repeat(64), tokens: 42 }, refs: {} });
  const life = 'bench-life-0123456789abcdef';
  const append = (w: number, i: number, full: boolean): AppendArgs => {
    const t = `cryo-bench-${tag}:{t:${w}}`;
    const base = { head: `${t}:h`, log: `${t}:j`, expectedRev: undefined, idsFromCaller: false, now: new Date().toISOString(), entries: [{ id: `e${i}`, json }] };
    if (!full) return lean ? base : { ...base, knownLife: life };
    const messagePrefix = `{"type":"thread-appended","namespace":"bench","threadId":"${w}","rev":`;
    return { ...base, create: { indexMode: 'done', index: null, retentionIndex: null, metadata: '{"v":1}', messagePrefix, member: 'm', retentionMember: 'm', life, startSeq: 0, retention: null } };
  };
  const send = (appends: AppendArgs[]): Promise<unknown> => {
    const call = appendCall(appends, 'PUBLISH');
    return raw.sendCommand(['EVALSHA', call.script.sha, String(call.keys.length), ...call.keys, ...call.args]);
  };
  for (let w = 0; w < threads; w++) await send([append(w, -1, true)]);
  let i = 0;
  const run = (): Promise<unknown> => send(Array.from({ length: batch }, () => append(i % threads, i++, false)));
  for (let k = 0; k < 100; k++) await run();
  const cpu = async (): Promise<number> => {
    const info = String(await raw.sendCommand(['INFO', 'cpu']));
    return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]);
  };
  await raw.sendCommand(['CONFIG', 'RESETSTAT']);
  const cpu0 = await cpu();
  let sent = 0;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (sent < runs) {
        sent++;
        await run();
      }
    }),
  );
  const cpu1 = await cpu();
  const appends = runs * batch;
  const stats = String(await raw.sendCommand(['INFO', 'commandstats']));
  const usPerAppend = Object.fromEntries(
    [...stats.matchAll(/cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/g)]
      .filter((m) => !/^(info|config)/.test(m[1]!))
      .map((m) => [m[1], Number((Number(m[3]) / appends).toFixed(2))]),
  );
  console.log(JSON.stringify({ form: lean ? 'lean' : 'short', batch, runs, appends, redisCpuUsPerAppend: Number((((cpu1 - cpu0) * 1e6) / appends).toFixed(2)), commandUsPerAppend: usPerAppend }, null, 2));
  for (let w = 0; w < threads; w++) await raw.sendCommand(['DEL', `cryo-bench-${tag}:{t:${w}}:h`, `cryo-bench-${tag}:{t:${w}}:j`]);
} finally {
  await raw.close();
  await own?.close();
}
