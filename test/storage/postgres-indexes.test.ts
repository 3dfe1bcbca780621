import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

/** Every node type in an EXPLAIN (FORMAT JSON) plan with the relation it reads (and the index, if any). */
function scans(plan: Record<string, unknown>, out: string[] = []): string[] {
  const index = plan['Index Name'] ? ` using ${String(plan['Index Name'])}` : '';
  if (plan['Relation Name']) out.push(`${String(plan['Node Type'])} on ${String(plan['Relation Name'])}${index}`);
  else if (index) out.push(`${String(plan['Node Type'])}${index}`); // a Bitmap Index Scan
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
      UPDATE ix.threads SET max_age_seconds = 3600 WHERE pk % 20 = 0;
      INSERT INTO ix.checkpoints (namespace, type_key, agent_key, agent_type, agent_id, rev, version, state, thread_id, thread_rev, created_at, updated_at)
        SELECT 'ns' || (g % 20), decode(md5((g % 7)::text), 'hex'), decode(md5(g::text), 'hex'), 'a' || (g % 7), 'c' || g, 1, 1, '{}',
               't' || g, 10, now(), now()
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
      // A lone append's statement (append-one.ts): the head UPDATE goes through the unique index.
      await storage.appendEntries({ namespace, threadId, entries: [{}] });
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
      await storage.trimThread({ namespace, threadId, beforeSeq: 1 });
      await storage.setThreadRetention({ namespace, threadId, retention: { maxAgeSeconds: 60 } });
      expect((await storage.sweepRetention()).skipped).toBe(false);
    } finally {
      pg.Client.prototype.query = original;
    }
    const functions = /"ix"\.(append_batch|delete_thread|trim_thread|set_retention|apply_retention)\(|pg_(try_)?advisory_(un)?lock/;
    const statements = sent.filter((q) => /^\s*(SELECT|WITH)/i.test(q.text) && !functions.test(q.text));
    expect(statements.length).toBeGreaterThanOrEqual(14);
    // What the plpgsql functions run inside (schema-v1.ts, schema-v3.ts; not visible to EXPLAIN).
    const inside: { text: string; values: unknown[]; index?: string }[] = [
      { text: 'SELECT * FROM ix.threads h WHERE h.namespace = $1 AND h.id_key = $2 FOR UPDATE', values: [namespace, Buffer.from('x')] },
      { text: 'SELECT array_agg(e.id ORDER BY e.seq) FROM ix.entries e WHERE e.thread_pk = $1 AND e.seq >= $2 AND e.seq < $3', values: [7, 2, 4] },
      { text: 'DELETE FROM ix.entries e WHERE e.thread_pk = $1', values: [7] },
      // Retention: the reverse index (lowest pointer), the prefix delete, the age walk, the sweep's lock by pk, the policy update.
      {
        text: 'SELECT * FROM ix.lowest_pointer($1, $2, $3)',
        values: ['ns3', 't63', '00000000-0000-4000-8000-000000000000'],
        index: 'checkpoints_by_thread',
      },
      {
        text:
          'SELECT c.agent_type, c.agent_id, c.thread_rev FROM ix.checkpoints c WHERE c.namespace = $1 AND c.thread_id = $2 ' +
          'AND (c.thread_life IS NULL OR c.thread_life = $3) ORDER BY c.thread_rev, c.type_key, c.agent_key LIMIT 1',
        values: ['ns3', 't63', '00000000-0000-4000-8000-000000000000'],
        index: 'checkpoints_by_thread',
      },
      { text: 'DELETE FROM ix.entries e WHERE e.thread_pk = $1 AND e.seq >= $2 AND e.seq < $3', values: [7, 2, 5] },
      { text: 'SELECT x.seq, x.body FROM ix.entries x WHERE x.thread_pk = $1 AND x.seq >= $2 AND x.seq < $3 ORDER BY x.seq', values: [7, 0, 20] },
      { text: 'SELECT * FROM ix.threads h WHERE h.pk = $1 FOR UPDATE', values: [7] },
      {
        text: 'UPDATE ix.threads h SET max_entries = $3, max_age_seconds = $4, updated_at = now() WHERE h.namespace = $1 AND h.id_key = $2',
        values: [namespace, Buffer.from('x'), 5, null],
      },
    ];
    // The detector itself: a filter on an unindexed column is a Seq Scan.
    const control = await admin.query(`EXPLAIN (FORMAT JSON) SELECT * FROM ix.entries WHERE body = $1`, ['{}']);
    expect(scans(control.rows[0]['QUERY PLAN'][0].Plan)).toContain('Seq Scan on entries');
    await admin.query('BEGIN');
    try {
      // The sweep's page of threads goes through the partial index of threads with a policy.
      const sweepPage = statements.filter((q) => q.text.includes('"ix".age_cutoff')).map((q) => ({ ...q, index: 'threads_with_policy' }));
      expect(sweepPage).toHaveLength(1);
      for (const { text, values, index } of [...statements, ...sweepPage, ...inside] as { text: string; values: unknown[]; index?: string }[]) {
        const { rows } = await admin.query(`EXPLAIN (FORMAT JSON) ${text}`, values);
        const nodes = scans((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
        expect(nodes.length, text).toBeGreaterThan(0);
        expect(nodes.filter((n) => n.startsWith('Seq Scan')), text).toEqual([]);
        if (index) expect(nodes.some((n) => n.endsWith(` using ${index}`)), `${text}: ${nodes.join(', ')}`).toBe(true);
      }
    } finally {
      await admin.query('ROLLBACK');
    }
  });
});
