/**
 * Postgres append cost at 1 and 32 writers: appends/s and CPU per append of this process (the
 * adapter's JS + node-postgres) and of the database backends (`/proc/<pid>/stat` of every
 * backend connected to the bench's database, so it needs a local server), for appendEntries
 * (unconditional and with expectedRev) vs a raw `pg` single-row INSERT — the variants of
 * bench/postgres-storage.ts, in interleaved rounds. CPU per append is steadier than appends/s
 * on a shared machine, where the WAL flush (fsync) of other jobs sets the pace at 1 writer.
 * `--no-sync` runs every session with `synchronous_commit = off` (this bench's sessions only):
 * what is left is CPU and round trips. Findings: bench/README.md (Postgres append).
 *
 *   npx tsx bench/postgres-append-cpu.ts [--seconds 3] [--no-sync]
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createPostgresStorage } from '../src/storage/postgres/index.js';
import { createTestDatabase } from '../test/support/postgres-database.js';
import { measureDetailed } from './redis-storage.js';

const PAYLOAD = { role: 'assistant', text: 'x'.repeat(64), tokens: 42 };
const TICKS_PER_SECOND = 100;

const at = process.argv.indexOf('--seconds');
const seconds = at > 0 ? Number(process.argv[at + 1]) : 3;
const noSync = process.argv.includes('--no-sync');
const db = await createTestDatabase();
const url = noSync ? `${db.url}?options=-c%20synchronous_commit%3Doff` : db.url;
const pool = new pg.Pool({ connectionString: url, max: 10 });
pool.on('error', () => {});
const storage = await createPostgresStorage({ url, poolSize: 10, timeoutMs: 30_000 });

/** Cumulative CPU seconds of the backends connected to the bench's database. */
const serverCpu = async (): Promise<number> => {
  const { rows } = await pool.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  let total = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
      // The backend ended between the two reads.
    }
  }
  return total;
};

try {
  await pool.query('CREATE TABLE raw_entries (stream text NOT NULL, seq bigint NOT NULL, body text NOT NULL, PRIMARY KEY (stream, seq))');
  const body = JSON.stringify({ id: 'x', at: new Date().toISOString(), kind: 'note', payload: PAYLOAD, refs: {} });
  for (const concurrency of [1, 32]) {
    const tag = `c${concurrency}`;
    const revs = new Map<number, number>();
    const [adapter, cas, raw] = await measureDetailed(
      concurrency,
      seconds,
      [
        (w) => storage.appendEntries({ threadId: `${tag}-w${w}`, entries: [{ payload: PAYLOAD }] }),
        async (w, i) => {
          const rev = revs.get(w) ?? 0;
          await storage.appendEntries({ threadId: `${tag}-cas${w}`, entries: [{ id: `e${i}`, payload: PAYLOAD }], expectedRev: rev });
          revs.set(w, rev + 1);
        },
        (w, i) => pool.query({ name: 'raw-insert', text: 'INSERT INTO raw_entries (stream, seq, body) VALUES ($1, $2, $3)', values: [`${tag}-r${w}`, i, body] }),
      ],
      6,
      serverCpu,
    );
    const show = (v: typeof adapter) => `${Math.round(v!.perSec)}/s, client ${v!.clientCpuUs.toFixed(0)} µs, server ${v!.serverCpuUs.toFixed(0)} µs`;
    console.log(
      `${concurrency} writer(s)${noSync ? ' (synchronous_commit off)' : ''}: adapter ${show(adapter)} | expectedRev ${show(cas)} | raw INSERT ${show(raw)} | ` +
        `adapter/raw appends/s ${(adapter!.perSec / raw!.perSec).toFixed(2)}, server CPU ${(adapter!.serverCpuUs / raw!.serverCpuUs).toFixed(2)}×`,
    );
  }
} finally {
  await storage.close();
  await pool.end();
  await db.drop();
}
