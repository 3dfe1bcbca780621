import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** One HTTP load run. */
export interface LoadOptions {
  url: string;
  /** POST body (JSON text); GET when absent. */
  body?: string;
  /** Extra request headers (e.g. `authorization`). */
  headers?: Record<string, string>;
  /** @default 32 */
  connections?: number;
  /** Whole seconds (autocannon's unit). */
  durationSec: number;
  /** Kill the child after this long, whatever happens. @default durationSec * 1000 + 15000 */
  killAfterMs?: number;
}

/** What autocannon measured. */
export interface LoadResult {
  /** 2xx responses per second of measured time. */
  requestsPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  seconds: number;
}

const AUTOCANNON_CLI = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * Runs the autocannon CLI (`-j`, newline-delimited JSON) as a child process against `url`, so the
 * load generator is a separate process from the server (on 2 cores they still share the CPU).
 * Resolves with 2xx/s and latency; rejects when the child fails, prints no JSON, or outlives
 * `killAfterMs` (it is then killed). It does NOT check response bodies: callers verify one
 * response and, for writes, the number of writes storage saw.
 */
export function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const args = [
    AUTOCANNON_CLI,
    '-c',
    String(options.connections ?? 32),
    '-d',
    String(Math.max(1, Math.round(options.durationSec))),
    '-j',
    '-n',
  ];
  if (options.body !== undefined) args.push('-m', 'POST', '-H', 'content-type=application/json', '-b', options.body);
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}=${value}`);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? options.durationSec * 1000 + 15_000);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (code !== 0 || !line) {
        reject(new Error(`autocannon exited (${code ?? signal}): ${err.slice(-500) || out.slice(-500)}`));
        return;
      }
      const r = JSON.parse(line) as {
        '2xx': number;
        non2xx: number;
        errors: number;
        timeouts: number;
        duration: number;
        latency: { p50: number; p99: number };
      };
      resolve({
        requestsPerSecond: r['2xx'] / r.duration,
        ok: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        latencyP50Ms: r.latency.p50,
        latencyP99Ms: r.latency.p99,
        seconds: r.duration,
      });
    });
  });
}
