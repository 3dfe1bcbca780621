import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server a test controls (or the one named by REDIS_URL). */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** False when REDIS_URL is used: stop/start/kill are then unavailable (tests skip). */
  readonly controllable: boolean;
  /** Graceful shutdown (SIGTERM; with appendonly the AOF is flushed). Resolves on exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown work at all. Resolves on exit. */
  kill(): Promise<void>;
  /** SIGSTOP: the socket stays open but nothing answers (a hung server). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** (Re)starts on the same port and directory. Resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the server and removes its directory. Idempotent. */
  close(): Promise<void>;
}

export interface StartRedisOptions {
  /** `--appendonly yes --appendfsync always`: acknowledged writes survive a restart. */
  persistent?: boolean;
  /** Extra redis-server arguments. */
  args?: string[];
  /** Ignore REDIS_URL (tests that must stop the server). */
  ownServer?: boolean;
}

/** Asks the kernel for a free loopback port (it may be taken again before use: callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const READY = /ready to accept connections/i;

/**
 * Whether tests that must stop and restart Redis can run: always without REDIS_URL (they start
 * their own and fail loudly when redis-server is missing); with REDIS_URL only when a
 * redis-server binary is installed too (else they are skipped).
 */
export const CAN_OWN_REDIS =
  process.env.REDIS_URL === undefined || spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * Spawns redis-server in the foreground and resolves once its log says it accepts connections,
 * rejects when it exits first (e.g. the port was taken). Event-based, no polling.
 */
export function spawnRedis(port: number, dir: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'no', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (READY.test(log)) {
        cleanup();
        child.stdout?.resume();
        resolve(child);
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`redis-server on port ${port} exited (${code ?? signal}) before it was ready:\n${log.slice(-2000)}`));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.on('exit', onExit);
    child.on('error', onError);
  });
}

function exited(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * Starts a redis-server on a free loopback port in a fresh temp dir (`--save ""`, appendonly as
 * asked). When REDIS_URL is set (and `ownServer` is not), returns that server instead, with
 * `controllable: false`. Never touches a Redis it did not start.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  const external = process.env.REDIS_URL;
  if (external && !options.ownServer) {
    const unsupported = (): Promise<void> => Promise.reject(new Error('REDIS_URL is set: the server is not ours'));
    return {
      url: external,
      port: Number(new URL(external).port || 6379),
      controllable: false,
      stop: unsupported,
      kill: unsupported,
      pause: () => {
        throw new Error('REDIS_URL is set: the server is not ours');
      },
      resume: () => {
        throw new Error('REDIS_URL is set: the server is not ours');
      },
      start: unsupported,
      close: () => Promise.resolve(),
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'cryo-redis-'));
  const args = [
    '--save',
    '',
    ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(options.args ?? []),
  ];
  let child: ChildProcess | null = null;
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      child = await spawnRedis(port, dir, args);
      break;
    } catch (error) {
      if (attempt >= 5) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let closed = false;
  const handle: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    controllable: true,
    stop: async () => {
      await exited(child, 'SIGTERM');
      child = null;
    },
    kill: async () => {
      await exited(child, 'SIGKILL');
      child = null;
    },
    pause: () => {
      child?.kill('SIGSTOP');
    },
    resume: () => {
      child?.kill('SIGCONT');
    },
    start: async () => {
      if (child) throw new Error('redis-server is already running');
      child = await spawnRedis(port, dir, args);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      child?.kill('SIGCONT');
      await exited(child, 'SIGKILL');
      child = null;
      await rm(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
