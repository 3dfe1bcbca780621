import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CRYO_BIN = fileURLToPath(new URL('../../bin/cryo.mjs', import.meta.url));

/** The result of one `cryo` run. */
export interface CryoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `cryo args…` (node bin/cryo.mjs) with stdin closed. */
export function spawnCryo(args: string[], env: Record<string, string> = {}): ChildProcess & { done: Promise<CryoRun> } {
  const child = spawn(process.execPath, [CRYO_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CryoRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return Object.assign(child, { done });
}

/** Runs `cryo args…` to the end. */
export function runCryo(args: string[], env: Record<string, string> = {}): Promise<CryoRun> {
  return spawnCryo(args, env).done;
}
