import { execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnRedis } from './redis-server.js';

const run = promisify(execFile);

/** A local Redis Cluster a test controls. */
export interface TestRedisCluster {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3` */
  readonly url: string;
  readonly ports: number[];
  /** False with REDIS_CLUSTER_URL: kill/start are then unavailable (tests skip). */
  readonly controllable: boolean;
  /** SIGKILLs every node, or those at `indexes` (data survives only with `persistent`). Resolves once they exited. */
  kill(indexes?: number[]): Promise<void>;
  /** Restarts the killed nodes on their ports with their nodes.conf; resolves once all report cluster_state:ok. */
  start(): Promise<void>;
  /** Stops every node and removes their directories. Idempotent. */
  close(): Promise<void>;
}

async function clusterState(port: number): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'cluster', 'info']);
  return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? 'unknown';
}

/**
 * Starts `masters` (default 3) redis-server nodes with `--cluster-enabled yes` on free loopback
 * ports (explicit bus ports), joins them with `redis-cli --cluster create … --cluster-replicas 0`,
 * and resolves once every node reports `cluster_state:ok` (bounded by `timeoutMs`). `persistent`:
 * `--appendonly yes --appendfsync always` on every node, so acknowledged writes survive kill/start.
 * REDIS_CLUSTER_URL, when set (and `ownServer` is not), is returned instead (close() then does nothing).
 */
export async function startRedisCluster(
  options: { masters?: number; timeoutMs?: number; persistent?: boolean; ownServer?: boolean } = {},
): Promise<TestRedisCluster> {
  const external = process.env.REDIS_CLUSTER_URL;
  if (external && !options.ownServer) {
    const ports = external.replace(/^redis\+cluster:\/\//, '').split(',').map((hp) => Number(hp.split(':')[1]));
    const unsupported = (): Promise<void> => Promise.reject(new Error('REDIS_CLUSTER_URL is set: the cluster is not ours'));
    return { url: external, ports, controllable: false, kill: unsupported, start: unsupported, close: () => Promise.resolve() };
  }
  const masters = options.masters ?? 3;
  const root = await mkdtemp(join(tmpdir(), 'cryo-redis-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const nodeArgs: { port: number; dir: string; args: string[] }[] = [];
  let closed = false;
  const killAll = async (indexes?: number[]): Promise<void> => {
    await Promise.all(
      children.filter((_, i) => !indexes || indexes.includes(i)).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await killAll();
    await rm(root, { recursive: true, force: true });
  };
  const waitOk = async (timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (const port of ports) {
      while ((await clusterState(port)) !== 'ok') {
        if (Date.now() > deadline) throw new Error(`cluster node ${port} did not reach cluster_state:ok`);
      }
    }
  };
  try {
    for (let i = 0; i < masters; i++) {
      const dir = join(root, `node-${i}`);
      await mkdir(dir);
      for (let attempt = 0; ; attempt++) {
        const port = await freePort();
        const busPort = await freePort();
        const args = [
          '--save', '',
          ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
          '--cluster-enabled', 'yes',
          '--cluster-port', String(busPort),
          '--cluster-config-file', join(dir, 'nodes.conf'),
          '--cluster-node-timeout', '2000',
        ];
        try {
          const child = await spawnRedis(port, dir, args);
          children.push(child);
          ports.push(port);
          nodeArgs.push({ port, dir, args });
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
        }
      }
    }
    await run('redis-cli', [
      '--cluster', 'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas', '0',
      '--cluster-yes',
    ]);
    await waitOk(options.timeoutMs ?? 20_000);
    return {
      url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(',')}`,
      ports,
      controllable: true,
      kill: killAll,
      start: async () => {
        await Promise.all(
          nodeArgs.map(async ({ port, dir, args }, i) => {
            const child = children[i]!;
            if (child.exitCode === null && child.signalCode === null) return;
            children[i] = await spawnRedis(port, dir, args);
          }),
        );
        await waitOk(options.timeoutMs ?? 20_000);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
