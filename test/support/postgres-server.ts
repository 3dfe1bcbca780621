import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

/** Where Debian puts the server binaries (PG_BIN overrides). */
const BIN = process.env.PG_BIN ?? ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'].find(existsSync);

/** A private PostgreSQL server a test controls: its own data directory and port. */
export interface TestPostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (`pg_ctl stop -m fast`): connections are cut, committed data stays. */
  stop(): Promise<void>;
  /** Crash (`pg_ctl stop -m immediate`): no shutdown checkpoint; recovery replays the WAL at start. */
  crash(): Promise<void>;
  /** (Re)starts on the same port and directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the server and removes its directory. Idempotent. */
  close(): Promise<void>;
}

/** True when initdb and pg_ctl are installed (tests that need a private server skip otherwise). */
export const CAN_RUN_POSTGRES = BIN !== undefined;

/** Runs a server binary as the `postgres` OS user when we are root (initdb refuses root). */
async function asPostgres(binary: string, args: string[]): Promise<void> {
  const path = join(BIN!, binary);
  if (userInfo().uid === 0) await run('runuser', ['-u', 'postgres', '--', path, ...args]);
  else await run(path, args);
}

/**
 * initdb's a fresh cluster in a temp directory (trust auth, fsync on) and starts it on a free
 * loopback port, its socket in that directory. Never touches the machine's own cluster.
 */
export async function startPostgresServer(): Promise<TestPostgresServer> {
  if (!BIN) throw new Error('PostgreSQL server binaries not found (set PG_BIN)');
  const dir = await mkdtemp(join(tmpdir(), 'cryo-pg-'));
  if (userInfo().uid === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  let port = 0;
  const start = async (): Promise<void> => {
    await asPostgres('pg_ctl', [
      '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=40 -c shared_buffers=16MB`,
      'start',
    ]);
  };
  const stopWith = async (mode: 'fast' | 'immediate'): Promise<void> => {
    await asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']).catch(() => {});
  };
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let closed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => stopWith('fast'),
    crash: () => stopWith('immediate'),
    start,
    close: async () => {
      if (closed) return;
      closed = true;
      await stopWith('immediate');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
