/**
 * Round trips per Postgres adapter call: counts node-postgres `Client#query` calls (it sends one
 * query at a time and waits for its answer, so one call is one round trip) for appends in each
 * case (existing thread, expectedRev, new thread, maxEntries) and for a checkpoint put with a
 * pointer, in a database created here and dropped afterwards. Findings: bench/README.md
 * (Postgres append).
 *
 *   npx tsx bench/postgres-round-trips.ts
 */
import pg from 'pg';
import { createPostgresStorage } from '../src/storage/postgres/index.js';
import { createTestDatabase } from '../test/support/postgres-database.js';

let calls = 0;
const statements = new Map<string, number>();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
  calls++;
  const name = typeof config === 'string' ? config : ((config as pg.QueryConfig).name ?? (config as pg.QueryConfig).text);
  statements.set(name, (statements.get(name) ?? 0) + 1);
  return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
} as typeof query;

const db = await createTestDatabase();
const storage = await createPostgresStorage({ url: db.url });
try {
  const count = async (label: string, n: number, call: (i: number) => Promise<unknown>): Promise<void> => {
    await call(-1);
    calls = 0;
    statements.clear();
    for (let i = 0; i < n; i++) await call(i);
    console.log(`${label}: ${(calls / n).toFixed(2)} round trips (${[...statements].map(([s, k]) => `${s} ×${k / n}`).join(', ')})`);
  };
  await count('append to an existing thread', 100, () => storage.appendEntries({ threadId: 't', entries: [{}] }));
  let rev = 101;
  await count('append with expectedRev', 100, async () => {
    await storage.appendEntries({ threadId: 't', entries: [{}], expectedRev: rev });
    rev++;
  });
  await count('append creating its thread', 100, (i) => storage.appendEntries({ threadId: `new-${i}`, entries: [{}] }));
  await count('append to a thread with maxEntries 10', 100, () => storage.appendEntries({ threadId: 'capped', entries: [{}], retention: { maxEntries: 10 } }));
  let checkpointRev = 0;
  await count('putCheckpoint with a pointer', 100, async () => {
    const saved = await storage.putCheckpoint({ agentType: 'a', agentId: 'b', state: { x: 1 }, thread: { id: 't', rev: 10 }, expectedRev: checkpointRev });
    checkpointRev = saved.rev;
  });
} finally {
  pg.Client.prototype.query = query;
  await storage.close();
  await db.drop();
}
