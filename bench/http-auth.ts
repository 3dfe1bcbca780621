/**
 * The cost of authentication per request: appendEntries req/s and server CPU per request with an
 * API key and with an HS256 JWT (auth on) vs the same request with auth off, in the same run
 * (memory storage, production mode, autocannon as a child process). Issue 11's target: ≥ 0.9×.
 * Verification is cached per token, so a request costs a SHA-256 and a map lookup, not a storage
 * read. Run: `npx tsx bench/http-auth.ts [seconds] [rounds]`.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { runAutocannon, type LoadResult } from './lib/autocannon.js';

/** Options of {@link benchHttpAuth}. */
export interface HttpAuthBenchOptions {
  /** Seconds per autocannon run. @default 5 */
  durationSec?: number;
  /** Rounds of (off, key, jwt), interleaved; the best run of each counts. @default 2 */
  rounds?: number;
  /** @default 32 */
  connections?: number;
  log?: (line: string) => void;
}

type Measured = LoadResult & { cpuMicrosPerRequest: number };

/** The figures of one run. */
export interface HttpAuthBenchResult {
  off: Measured;
  apiKey: Measured;
  jwt: Measured;
  /** req/s with a credential ÷ req/s with auth off (best runs). */
  apiKeyRatio: number;
  jwtRatio: number;
  /** CPU per request with auth off ÷ with a credential (≥ 0.9 means ≤ 11% more CPU). */
  apiKeyCpuRatio: number;
  jwtCpuRatio: number;
  /** Medians over rounds of (credential ÷ off) req/s within one round (the runs of a round are back to back): less sensitive to load that changes between rounds. */
  medianRoundRatio: { apiKey: number; jwt: number };
  /** In-process cost of one cached verification (Authenticator.authenticate), µs: API key and JWT. */
  cachedVerifyMicros: { apiKey: number; jwt: number };
}

const SECRET = 'bench-jwt-secret-0123456789abcdef0123';

/** Starts two servers (auth off, auth on) over memory storage, measures the three cases, stops them. */
export async function benchHttpAuth(options: HttpAuthBenchOptions = {}): Promise<HttpAuthBenchResult> {
  const { buildApp } = await import('../src/app.js');
  const { defineConfig } = await import('../src/config.js');
  const { issueApiKey } = await import('../src/auth/issue-api-key.js');
  const { SignJWT } = await import('jose');
  const durationSec = options.durationSec ?? 5;
  const rounds = options.rounds ?? 2;
  const connections = options.connections ?? 32;
  const log = options.log ?? (() => {});
  const start = (mode: 'on' | 'off') =>
    buildApp(
      defineConfig({ storage: 'memory:', port: 0, production: true, logLevel: 'silent', shutdownGraceMs: 1000, auth: { mode, jwtSecret: SECRET } }),
      { dashboardDir: null, operationsDir: null },
    );
  const off = await start('off');
  const on = await start('on');
  try {
    const offUrl = `${(await off.start()).url}graphql`;
    const onUrl = `${(await on.start()).url}graphql`;
    const key = (await issueApiKey(on.storage, { namespace: 'bench', scopes: ['read', 'write'] })).secret;
    const jwt = await new SignJWT({ ns: 'bench', scope: 'read write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const body = JSON.stringify({
      query: 'mutation Append($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename ... on AppendEntriesSuccess { thread { rev } entries { id seq } } } }',
      variables: { input: { threadId: `bench-${randomUUID()}`, entries: [{ kind: 'bench', payload: { text: 'x'.repeat(100) } }] } },
    });
    const cases = [
      { name: 'auth off', url: offUrl, headers: {} as Record<string, string> },
      { name: 'API key', url: onUrl, headers: { authorization: `Bearer ${key}` } },
      { name: 'JWT', url: onUrl, headers: { authorization: `Bearer ${jwt}` } },
    ];
    for (const c of cases) {
      const probe = await fetch(c.url, { method: 'POST', headers: { 'content-type': 'application/json', ...c.headers }, body });
      const text = await probe.text();
      if (!text.includes('AppendEntriesSuccess')) throw new Error(`${c.name} probe failed: ${probe.status} ${text.slice(0, 200)}`);
    }
    const best: (Measured | undefined)[] = [undefined, undefined, undefined];
    const perRound: { apiKey: number[]; jwt: number[] } = { apiKey: [], jwt: [] };
    for (let round = 0; round < rounds; round++) {
      const thisRound: Measured[] = [];
      for (const [i, c] of cases.entries()) {
        const before = process.cpuUsage();
        const result = await runAutocannon({ url: c.url, body, headers: c.headers, connections, durationSec });
        const used = process.cpuUsage(before);
        if (result.non2xx > 0) throw new Error(`${c.name}: ${result.non2xx} non-2xx responses`);
        const measured = { ...result, cpuMicrosPerRequest: (used.user + used.system) / Math.max(1, result.ok + result.non2xx) };
        log(`round ${round + 1}: ${c.name} ${measured.requestsPerSecond.toFixed(0)} req/s, ${measured.cpuMicrosPerRequest.toFixed(0)} µs server CPU/req (p99 ${measured.latencyP99Ms} ms)`);
        if (!best[i] || measured.requestsPerSecond > best[i]!.requestsPerSecond) best[i] = measured;
        thisRound.push(measured);
      }
      perRound.apiKey.push(thisRound[1]!.requestsPerSecond / thisRound[0]!.requestsPerSecond);
      perRound.jwt.push(thisRound[2]!.requestsPerSecond / thisRound[0]!.requestsPerSecond);
    }
    const [o, k, j] = best as Measured[];
    const { Authenticator } = await import('../src/auth/authenticator.js');
    const authenticator = new Authenticator({ storage: on.storage, jwt: { secret: SECRET } });
    const perCall = async (token: string): Promise<number> => {
      await authenticator.authenticate(`Bearer ${token}`);
      const n = 20_000;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await authenticator.authenticate(`Bearer ${token}`);
      return Number(process.hrtime.bigint() - t0) / 1000 / n;
    };
    const cachedVerifyMicros = { apiKey: await perCall(key), jwt: await perCall(jwt) };
    log(`cached verification: API key ${cachedVerifyMicros.apiKey.toFixed(2)} µs, JWT ${cachedVerifyMicros.jwt.toFixed(2)} µs per call`);
    return {
      off: o!,
      apiKey: k!,
      jwt: j!,
      apiKeyRatio: k!.requestsPerSecond / o!.requestsPerSecond,
      jwtRatio: j!.requestsPerSecond / o!.requestsPerSecond,
      apiKeyCpuRatio: o!.cpuMicrosPerRequest / k!.cpuMicrosPerRequest,
      jwtCpuRatio: o!.cpuMicrosPerRequest / j!.cpuMicrosPerRequest,
      cachedVerifyMicros,
      medianRoundRatio: { apiKey: median(perRound.apiKey), jwt: median(perRound.jwt) },
    };
  } finally {
    await on.stop();
    await off.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env['NODE_ENV'] ??= 'production';
  const [seconds, rounds] = process.argv.slice(2).map(Number);
  const r = await benchHttpAuth({ durationSec: seconds || 5, rounds: rounds || 2, log: (line) => console.log(line) });
  console.log(
    `appendEntries: auth off ${r.off.requestsPerSecond.toFixed(0)} req/s (${r.off.cpuMicrosPerRequest.toFixed(0)} µs CPU/req); ` +
      `API key ${r.apiKey.requestsPerSecond.toFixed(0)} req/s (${r.apiKey.cpuMicrosPerRequest.toFixed(0)} µs): ratio ${r.apiKeyRatio.toFixed(2)}, CPU ratio ${r.apiKeyCpuRatio.toFixed(2)}; ` +
      `JWT ${r.jwt.requestsPerSecond.toFixed(0)} req/s (${r.jwt.cpuMicrosPerRequest.toFixed(0)} µs): ratio ${r.jwtRatio.toFixed(2)}, CPU ratio ${r.jwtCpuRatio.toFixed(2)}; ` +
      `median round ratios: key ${r.medianRoundRatio.apiKey.toFixed(2)}, JWT ${r.medianRoundRatio.jwt.toFixed(2)}`,
  );
}
