/**
 * CPU profiles of the Cryo server under HTTP load, for bench/README.md: one server (memory
 * storage, production mode, auth on with an API key, metrics on — what production runs), loaded
 * by autocannon (a child process, 32 connections) with `{ __typename }` and then with a
 * one-entry appendEntries. Each load gets a warm-up run, then a profiled run: the V8 sampling
 * profiler (the one behind `node --cpu-prof`, started through node:inspector so the profile
 * holds the loaded window only) writes `<dir>/<case>.cpuprofile`, and the top frames and packages
 * by self time are printed with the server CPU per request.
 *
 *   npx tsx bench/profile-http.ts [seconds=5] [dir=/tmp/cryo-profiles]
 *
 * The profiler itself costs CPU (µs/request here read higher than in bench/http-append.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { runAutocannon } from './lib/autocannon.js';
import { summarize, type CpuProfile } from './lib/cpu-profile-summary.js';
import { APPEND_QUERY } from './http-append.js';

process.env['NODE_ENV'] ??= 'production';
const seconds = Number(process.argv[2]) || 5;
const dir = process.argv[3] ?? '/tmp/cryo-profiles';
await mkdir(dir, { recursive: true });

const { buildApp } = await import('../src/app.js');
const { defineConfig } = await import('../src/config.js');
const { issueApiKey } = await import('../src/auth/issue-api-key.js');
const app = await buildApp(
  defineConfig({ storage: 'memory:', port: 0, production: true, logLevel: 'silent', shutdownGraceMs: 1000, metrics: true, auth: { mode: 'on' } }),
  { dashboardDir: null, operationsDir: null },
);
const session = new Session();
session.connect();
try {
  const url = `${(await app.start()).url}graphql`;
  const key = (await issueApiKey(app.storage, { namespace: 'bench', scopes: ['read', 'write'] })).secret;
  const headers = { authorization: `Bearer ${key}` };
  const cases = {
    typename: JSON.stringify({ query: '{ __typename }' }),
    append: JSON.stringify({
      query: APPEND_QUERY,
      variables: { input: { threadId: `bench-${randomUUID()}`, entries: [{ kind: 'bench', payload: { text: 'x'.repeat(100) } }] } },
    }),
  };
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  for (const [name, body] of Object.entries(cases)) {
    await runAutocannon({ url, body, headers, durationSec: 2 });
    await session.post('Profiler.start');
    const before = process.cpuUsage();
    const load = await runAutocannon({ url, body, headers, durationSec: seconds });
    const used = process.cpuUsage(before);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    if (load.non2xx || load.errors) throw new Error(`${name}: ${load.non2xx} non-2xx, ${load.errors} errors`);
    const file = join(dir, `${name}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    const perRequest = (used.user + used.system) / Math.max(1, load.ok);
    console.log(`\n## ${name}: ${load.requestsPerSecond.toFixed(0)} req/s, ${perRequest.toFixed(0)} µs server CPU/request (profiled) → ${file}`);
    console.log('self%  total%  package');
    for (const r of summarize(profile, 'package', 14)) console.log(`${r.selfPct.toFixed(1).padStart(5)}  ${r.totalPct.toFixed(1).padStart(6)}  ${r.name}`);
    console.log('self%  total%  frame');
    for (const r of summarize(profile, 'frame', 30)) console.log(`${r.selfPct.toFixed(1).padStart(5)}  ${r.totalPct.toFixed(1).padStart(6)}  ${r.name}`);
  }
} finally {
  session.disconnect();
  await app.stop();
}
