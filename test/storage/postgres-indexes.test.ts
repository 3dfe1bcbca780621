import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

/** Every node type in an EXPLAIN (FORMAT JSON) plan with the relation it reads. */
function scans(plan: Record<string, unknown>, out: string[] = []): string[] {
  if (plan['Relation Name']) out.push(`${String(plan['Node Type'])} on ${String(plan['Relation Name'])}`);
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) scans(child, out);
  return out;
}

// "Nothing scans a table": the plans of the adapter's statements, on tables big enough (and
// analyzed) for the planner to choose honestly, use indexes only.
describe('postgres: reads and listings use indexes', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  let storage: PostgresStorage;

  beforeAll(async () => {
    db = await createTestDatabase();
    storage = await createPostgresStorage({ url: db.url, schema: 'ix' });
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`
      INSERT INTO ix.threads (namespace, id_key, thread_id, rev, life, metadata, created_at, updated_at)
        SELECT 'ns' || (g % 20), decode(md5(g::text), 'hex'), 't' || g, 20, gen_random_uuid(), '{}', now(), now()
        FROM generate_series(1, 4000) g;
      INSERT INTO ix.entries (thread_pk, seq, id, body) SELECT t.pk, s, 'e' || s, '{}' FROM ix.threads t, generate_series(0, 19) s;
      INSERT INTO ix.checkpoints (namespace, type_key, agent_key, agent_type, agent_id, rev, version, state, created_at, updated_at)
        SELECT 'ns' || (g % 20), decode(md5((g % 7)::text), 'hex'), decode(md5(g::text), 'hex'), 'a' || (g % 7), 'c' || g, 1, 1, '{}', now(), now()
        FROM generate_series(1, 4000) g;
      ANALYZE ix.threads, ix.entries, ix.checkpoints;`);
  });

  afterAll(async () => {
    await storage?.close();
    await admin?.end();
    await db?.drop();
  });

  it('every SELECT the adapter sends, and the lookups inside its functions, read by index', async () => {
    const namespace = 'ns3';
    const threadId = 'probe';
    const key = { namespace, agentType: 'a1', agentId: 'probe' };
    await storage.appendEntries({ namespace, threadId, entries: [{}, {}, {}] });
    await storage.putCheckpoint({ ...key, state: {}, thread: { id: threadId, rev: 3 } });
    const sent: { text: string; values: unknown[] }[] = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
      if (config && typeof config === 'object' && 'text' in config) {
        sent.push({ text: (config as pg.QueryConfig).text, values: (config as pg.QueryConfig).values ?? [] });
      }
      return (original as (...args: unknown[]) => unknown).call(this, config, ...rest);
    } as typeof original;
    try {
      await storage.readEntries({ namespace, threadId, fromSeq: 1, limit: 10 });
      await storage.readTail({ namespace, threadId, limit: 2 });
      await storage.getThread({ namespace, threadId });
      await storage.listThreads({ namespace, first: 5 });
      await storage.listThreads({ namespace, first: 5, after: 'm' });
      await storage.getCheckpoint(key);
      await storage.listCheckpoints({ namespace, first: 5 });
      await storage.listCheckpoints({ namespace, first: 5, after: { agentType: 'a1', agentId: 'c1' } });
      await storage.listCheckpoints({ namespace, agentType: 'a1', first: 5 });
      await storage.listCheckpoints({ namespace, agentType: 'a1', first: 5, after: { agentType: 'a1', agentId: 'c1' } });
      await storage.putCheckpoint({ ...key, state: { n: 2 }, thread: { id: threadId, rev: 3 } });
      await storage.deleteCheckpoint({ ...key, agentId: 'gone' });
    } finally {
      pg.Client.prototype.query = original;
    }
    const statements = sent.filter((q) => /^\s*(SELECT|WITH)/i.test(q.text) && !/ix\.(append_batch|delete_thread)\(/.test(q.text));
    expect(statements.length).toBeGreaterThanOrEqual(12);
    // What append_entries and delete_thread run inside (plpgsql is not visible to EXPLAIN).
    const inside = [
      { text: 'SELECT * FROM ix.threads h WHERE h.namespace = $1 AND h.id_key = $2 FOR UPDATE', values: [namespace, Buffer.from('x')] },
      { text: 'SELECT array_agg(e.id ORDER BY e.seq) FROM ix.entries e WHERE e.thread_pk = $1 AND e.seq >= $2 AND e.seq < $3', values: [7, 2, 4] },
      { text: 'DELETE FROM ix.entries e WHERE e.thread_pk = $1', values: [7] },
    ];
    // The detector itself: a filter on an unindexed column is a Seq Scan.
    const control = await admin.query(`EXPLAIN (FORMAT JSON) SELECT * FROM ix.entries WHERE body = $1`, ['{}']);
    expect(scans(control.rows[0]['QUERY PLAN'][0].Plan)).toContain('Seq Scan on entries');
    await admin.query('BEGIN');
    try {
      for (const { text, values } of [...statements, ...inside]) {
        const { rows } = await admin.query(`EXPLAIN (FORMAT JSON) ${text}`, values);
        const nodes = scans((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
        expect(nodes.length, text).toBeGreaterThan(0);
        expect(nodes.filter((n) => n.startsWith('Seq Scan')), text).toEqual([]);
      }
    } finally {
      await admin.query('ROLLBACK');
    }
  });
});
