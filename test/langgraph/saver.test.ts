import type { RunnableConfig } from '@langchain/core/runnables';
import { type Checkpoint, uuid6 } from '@langchain/langgraph-checkpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCryoClient } from '../../src/client/index.js';
import { createHttpFetch } from '../../src/langgraph/http-fetch.js';
import { CryoSaver, CryoSaverConflictError, runKey } from '../../src/langgraph/index.js';
import { type CryoServer, startCryo } from './servers.js';
import { runSteps } from './steps.js';

let server: CryoServer;
let prefixes = 0;
beforeAll(async () => {
  server = await startCryo('memory');
});
afterAll(async () => {
  await server.close();
});

/** A saver whose HTTP requests and response bytes are counted. */
function countingSaver(options: { fence?: boolean; prefix?: string } = {}) {
  const counts = { requests: 0, bytes: 0 };
  const http = createHttpFetch();
  const client = createCryoClient({
    url: server.graphqlUrl,
    fetch: async (input, init) => {
      const response = await http.fetch(input, init);
      const text = await response.text();
      counts.requests += 1;
      counts.bytes += text.length;
      return { status: response.status, text: async () => text } as Response;
    },
  });
  const saver = new CryoSaver({ url: server.graphqlUrl, client, prefix: options.prefix ?? `t${(prefixes += 1)}`, fence: options.fence ?? false });
  return { saver, counts, reset: () => Object.assign(counts, { requests: 0, bytes: 0 }), close: async () => {
    await client.close();
    http.close();
  } };
}

describe('CryoSaver: a LangGraph run is a Cryo thread', () => {
  it('stores checkpoints and writes as entries of one thread, with the latest also a langgraph checkpoint that thaws', async () => {
    const { saver, close } = countingSaver({ prefix: 'layout' });
    const configs = await runSteps(saver, 'run/1:a', 3, { checkpointNs: 'child:x' });
    const key = runKey('layout', 'run/1:a', 'child:x');
    expect(key).toBe('layout:run%2F1%3Aa:child%3Ax');
    const cryo = createCryoClient({ url: server.graphqlUrl });
    const thread = await cryo.thread({ id: key, first: 50 });
    expect(thread?.entries.edges.map((edge) => edge.node.kind)).toEqual([
      'langgraph.run', 'langgraph.checkpoint', 'langgraph.writes', 'langgraph.checkpoint', 'langgraph.writes', 'langgraph.checkpoint', 'langgraph.writes',
    ]);
    expect(thread?.entries.edges[0]?.node.payload).toEqual({ thread_id: 'run/1:a', checkpoint_ns: 'child:x' });
    expect(thread?.metadata).toEqual({ langgraph: { thread_id: 'run/1:a', checkpoint_ns: 'child:x' } });
    const latestId = configs[2]?.configurable?.checkpoint_id;
    const thawed = await cryo.thaw({ agentType: 'langgraph', agentId: key, allowJournalAhead: true });
    expect(thawed.__typename).toBe('ThawSuccess');
    if (thawed.__typename !== 'ThawSuccess') return;
    expect(thawed.checkpoint.state).toEqual({ latest: { id: latestId, seq: 5 } });
    expect(thawed.checkpoint.thread).toMatchObject({ id: key, rev: 6 });
    // the pin holds the lowest entry the latest checkpoints read: the first checkpoint (it holds `first`)
    const pin = await cryo.checkpoint({ agentType: 'langgraph.pin', agentId: key });
    expect(pin?.thread).toMatchObject({ id: key, rev: 1 });
    // the last step's writes are the journal's entries after the pointer: thaw's pendingEntries
    expect(thawed.pendingEntries.map((entry) => entry.kind)).toEqual(['langgraph.writes']);
    expect(thawed.pendingEntries[0]?.payload).toMatchObject({ checkpointId: latestId, taskId: 'task-2', writes: [[0, 'count', { json: 3 }]] });
    await cryo.close();
    await close();
  });

  it('reads a checkpoint with a bounded number of requests and bytes, however long the run', async () => {
    const { saver, counts, reset, close } = countingSaver();
    const configs = await runSteps(saver, 'long', 150);
    const costOf = async (config: (typeof configs)[number]) => {
      const fresh = countingSaver({ prefix: (saver as unknown as { prefix: string }).prefix });
      const tuple = await fresh.saver.getTuple(config);
      const cost = { ...fresh.counts };
      await fresh.close();
      return { tuple, cost };
    };
    const latest = await costOf({ configurable: { thread_id: 'long', checkpoint_ns: '' } });
    const early = await costOf(configs[5] as (typeof configs)[number]);
    const late = await costOf(configs[100] as (typeof configs)[number]);
    expect(latest.tuple?.checkpoint.channel_values).toEqual({ first: 'kept from step 0', count: 149 });
    expect(latest.tuple?.pendingWrites).toEqual([['task-149', 'count', 150]]);
    expect(early.tuple?.checkpoint.channel_values).toEqual({ first: 'kept from step 0', count: 5 });
    expect(late.tuple?.pendingWrites).toEqual([['task-100', 'count', 101]]);
    // latest: head (+ the entry holding `first`); by id from a fresh saver: index, entries, `first`
    expect(latest.cost.requests).toBeLessThanOrEqual(2);
    expect(early.cost.requests).toBeLessThanOrEqual(3);
    expect(late.cost.requests).toBe(early.cost.requests);
    // a read by id costs the same near the start and near the end; the head reads a fixed tail
    expect(Math.abs(late.cost.bytes - early.cost.bytes)).toBeLessThan(early.cost.bytes * 0.2);
    for (const { cost } of [latest, early, late]) expect(cost.bytes).toBeLessThan(20_000);
    reset();
    await saver.getTuple(configs[149] as (typeof configs)[number]);
    // the saver's own latest: seq and holders known locally, so the index, the entries and `first`'s entry in one request
    expect(counts.requests).toBe(1);
    await close();
  });

  it('reads the parent once for a put whose parent, the latest, is beyond the head\'s tail', async () => {
    const { saver, close } = countingSaver();
    const [config] = await runSteps(saver, 'busy', 1);
    // enough writes after the latest checkpoint that a fresh saver's head read does not hold its entry
    for (let task = 0; task < 40; task += 1) await saver.putWrites(config as NonNullable<typeof config>, [['count', task]], `busy-${task}`);
    const checkpoint: Checkpoint = {
      v: 4,
      id: uuid6(-1),
      ts: new Date().toISOString(),
      channel_values: { first: 'kept from step 0', count: 9 },
      channel_versions: { first: 1, count: 9 },
      versions_seen: {},
    };
    const other = countingSaver({ prefix: (saver as unknown as { prefix: string }).prefix });
    // head, the parent's entry (its blobs, for the put and for the pin), the put
    await other.saver.put(config as NonNullable<typeof config>, checkpoint, { source: 'loop', step: 1, parents: {} }, { count: 9 });
    expect(other.counts.requests).toBe(3);
    await other.close();
    await close();
  });

  it('finds writes stored for an older checkpoint (a resumed fork) by id and in list', async () => {
    const { saver, close } = countingSaver();
    const configs = await runSteps(saver, 'fork', 4);
    const old = configs[1] as (typeof configs)[number];
    await saver.putWrites(old, [['count', 'late']], 'task-late');
    const other = countingSaver({ prefix: (saver as unknown as { prefix: string }).prefix });
    const tuple = await other.saver.getTuple(old);
    expect(tuple?.pendingWrites).toEqual([['task-1', 'count', 2], ['task-late', 'count', 'late']]);
    const listed = [];
    for await (const item of other.saver.list({ configurable: { thread_id: 'fork' } })) listed.push(item);
    expect(listed.map((item) => item.checkpoint.id)).toEqual(configs.map((config) => config.configurable?.checkpoint_id).reverse());
    expect(listed[2]?.pendingWrites).toEqual(tuple?.pendingWrites);
    await other.close();
    await close();
  });

  it('refuses ids Cryo cannot hold with a clear error and writes nothing', async () => {
    const { saver, close } = countingSaver({ prefix: 'long-ids' });
    await expect(runSteps(saver, 'x'.repeat(300), 1)).rejects.toThrow(/256/);
    await close();
  });
});

describe('CryoSaver fencing (fence: true)', () => {
  it('gives the second writer of one thread a typed conflict instead of forking the history', async () => {
    const prefix = 'fenced';
    const first = countingSaver({ prefix, fence: true });
    const second = countingSaver({ prefix, fence: true });
    const [config] = await runSteps(first.saver, 'shared', 1);
    // both processes load the run, as LangGraph does when a run starts
    const seenByFirst = await first.saver.getTuple({ configurable: { thread_id: 'shared', checkpoint_ns: '' } });
    const seenBySecond = await second.saver.getTuple({ configurable: { thread_id: 'shared', checkpoint_ns: '' } });
    expect(seenBySecond?.checkpoint.id).toBe(seenByFirst?.checkpoint.id);
    await runSteps(second.saver, 'shared', 1, {}); // the second process writes first …
    const error = await runSteps(first.saver, 'shared', 1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CryoSaverConflictError); // … so the first one, now stale, is fenced off
    expect(error).toMatchObject({ code: 'CONFLICT', threadId: 'shared', checkpointNs: '' });
    const writesError = await first.saver.putWrites(config as NonNullable<typeof config>, [['count', 9]], 'stale').catch((caught: unknown) => caught);
    expect(writesError).toBeInstanceOf(CryoSaverConflictError);
    const listed = [];
    for await (const item of second.saver.list({ configurable: { thread_id: 'shared', checkpoint_ns: '' } })) listed.push(item);
    expect(listed).toHaveLength(2); // the first step and the second process's: nothing from the stale writer
    // after re-reading, the first process may write again
    await first.saver.getTuple({ configurable: { thread_id: 'shared', checkpoint_ns: '' } });
    await expect(runSteps(first.saver, 'shared', 1)).resolves.toHaveLength(1);
    await first.close();
    await second.close();
  });

  it('without fencing, a stale writer re-reads and appends after the other one', async () => {
    const prefix = 'unfenced';
    const first = countingSaver({ prefix });
    const second = countingSaver({ prefix });
    await runSteps(first.saver, 'shared', 1);
    await runSteps(second.saver, 'shared', 2);
    await runSteps(first.saver, 'shared', 1);
    const listed = [];
    for await (const item of second.saver.list({ configurable: { thread_id: 'shared' } })) listed.push(item);
    expect(listed).toHaveLength(4);
    await first.close();
    await second.close();
  });
});

describe('CryoSaver under retention: trims never remove what the saver reads', () => {
  /** One GraphQL call to the test server. */
  async function gql(query: string, variables: Record<string, unknown>): Promise<any> {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }
  const TRIM = `mutation($input: TrimThreadInput!) { trimThread(input: $input) {
    __typename ... on TrimThreadSuccess { dropped thread { firstSeq } } ... on TrimBeyondCheckpoint { pointerRev agentType } } }`;

  /** Trims the run's thread as far as the checkpoints pointing at it allow; returns the new firstSeq. */
  async function trimAsFarAsAllowed(key: string): Promise<number> {
    const { thread } = await gql('query($id: ID!) { thread(id: $id) { rev } }', { id: key });
    const refused = (await gql(TRIM, { input: { threadId: key, beforeSeq: thread.rev } })).trimThread;
    expect(refused).toMatchObject({ __typename: 'TrimBeyondCheckpoint', agentType: 'langgraph.pin' });
    const trimmed = (await gql(TRIM, { input: { threadId: key, beforeSeq: refused.pointerRev } })).trimThread;
    expect(trimmed.__typename).toBe('TrimThreadSuccess');
    return trimmed.thread.firstSeq;
  }

  /** Steps whose every channel changes each time (so the pin moves forward with the run). */
  async function changingSteps(saver: CryoSaver, threadId: string, from: number, to: number, start?: RunnableConfig) {
    const configs: RunnableConfig[] = [];
    let config: RunnableConfig = start ?? { configurable: { thread_id: threadId, checkpoint_ns: '' } };
    for (let step = from; step < to; step += 1) {
      const checkpoint: Checkpoint = {
        v: 4,
        id: uuid6(-1),
        ts: new Date().toISOString(),
        channel_values: { count: step },
        channel_versions: { count: step + 1 },
        versions_seen: { node: { count: step } },
      };
      config = await saver.put(config, checkpoint, { source: 'loop', step, parents: {} }, { count: step + 1 });
      await saver.putWrites(config, [['count', step + 1]], `task-${step}`);
      configs.push(config);
    }
    return configs;
  }

  it('a run trimmed as far as allowed still loads its latest checkpoint and writes, and keeps going', async () => {
    const { saver, close } = countingSaver({ prefix: 'trim' });
    const configs = await changingSteps(saver, 'run', 0, 6);
    const key = runKey('trim', 'run', '');
    const firstSeq = await trimAsFarAsAllowed(key);
    // header 0, then checkpoint/writes pairs: step s at 1 + 2s. The pin holds step 4 (the latest but one).
    expect(firstSeq).toBe(9);
    const fresh = countingSaver({ prefix: 'trim' });
    const latest = await fresh.saver.getTuple({ configurable: { thread_id: 'run', checkpoint_ns: '' } });
    expect(latest?.checkpoint.id).toBe(configs[5]?.configurable?.checkpoint_id);
    expect(latest?.checkpoint.channel_values).toEqual({ count: 5 });
    expect(latest?.pendingWrites).toEqual([['task-5', 'count', 6]]);
    expect((await fresh.saver.getTuple(configs[4]!))?.checkpoint.channel_values).toEqual({ count: 4 });
    // Trimmed history is gone, never returned with values missing.
    expect(await fresh.saver.getTuple(configs[0]!)).toBeUndefined();
    const listed = [];
    for await (const item of fresh.saver.list({ configurable: { thread_id: 'run' } })) listed.push(item.checkpoint.id);
    expect(listed).toEqual([configs[5], configs[4]].map((c) => c?.configurable?.checkpoint_id));
    // The run continues from the trimmed thread, with a saver that never saw it before.
    const more = await changingSteps(fresh.saver, 'run', 6, 8, configs[5]);
    const after = await fresh.saver.getTuple({ configurable: { thread_id: 'run', checkpoint_ns: '' } });
    expect(after?.checkpoint.id).toBe(more[1]?.configurable?.checkpoint_id);
    expect(after?.pendingWrites).toEqual([['task-7', 'count', 8]]);
    await fresh.close();
    await close();
  });

  it('a channel carried over from the first step pins the run there; a maxEntries policy then trims only what no checkpoint reads', async () => {
    const { saver, close } = countingSaver({ prefix: 'policy' });
    const configs = await runSteps(saver, 'run', 3);
    const key = runKey('policy', 'run', '');
    expect(await trimAsFarAsAllowed(key)).toBe(1);
    const set = await gql('mutation($input: SetThreadRetentionInput!) { setThreadRetention(input: $input) { __typename } }', {
      input: { threadId: key, retention: { maxEntries: 1 } },
    });
    expect(set.setThreadRetention.__typename).toBe('SetThreadRetentionSuccess');
    const more = await runSteps(saver, 'run', 5, {
      onStep: async (config) => {
        const tuple = await saver.getTuple({ configurable: { thread_id: 'run', checkpoint_ns: '' } });
        expect(tuple?.checkpoint.id).toBe(config.configurable?.checkpoint_id);
        expect(tuple?.checkpoint.channel_values).toMatchObject({ first: 'kept from step 0' });
      },
    });
    expect(more).toHaveLength(5);
    expect(configs).toHaveLength(3);
    const fresh = countingSaver({ prefix: 'policy' });
    const latest = await fresh.saver.getTuple({ configurable: { thread_id: 'run', checkpoint_ns: '' } });
    expect(latest?.checkpoint.channel_values).toEqual({ first: 'kept from step 0', count: 4 });
    await fresh.close();
    await close();
  });

  it('a put that leaves the pin where it is writes nothing to it, yet repairs a pin another writer moved', async () => {
    const { saver, close } = countingSaver({ prefix: 'steady' });
    const key = runKey('steady', 'run', '');
    const pinOf = async () =>
      (await gql('query($key: String!) { checkpoint(agentType: "langgraph.pin", agentId: $key) { rev state thread { rev } } }', { key })).checkpoint;
    // `first` is carried over from step 0: every put pins seq 1, and only the first one writes the pin.
    const configs = await runSteps(saver, 'run', 4);
    expect(await pinOf()).toEqual({ rev: 1, state: { checkpointId: configs[0]?.configurable?.checkpoint_id }, thread: { rev: 1 } });
    // Another writer moves the pin past what the latest checkpoint reads (here: with a stale view).
    const { thread } = await gql('query($id: ID!) { thread(id: $id) { rev } }', { id: key });
    const moved = await gql(
      'mutation($input: PutCheckpointInput!) { putCheckpoint(input: $input) { __typename } }',
      { input: { agentType: 'langgraph.pin', agentId: key, state: { checkpointId: 'other' }, thread: { id: key, rev: thread.rev - 1 } } },
    );
    expect(moved.putCheckpoint.__typename).toBe('PutCheckpointSuccess');
    // The next put's confirmation meets the changed pin and writes it back to seq 1.
    const more = await runSteps(saver, 'run', 1);
    expect(await pinOf()).toEqual({ rev: 3, state: { checkpointId: more[0]?.configurable?.checkpoint_id }, thread: { rev: 1 } });
    expect(await trimAsFarAsAllowed(key)).toBe(1);
    await close();
  });

  it('a put whose pin was rewritten meanwhile (a stale pin rev) writes the pin again', async () => {
    const { saver, close } = countingSaver({ prefix: 'repin' });
    const configs = await changingSteps(saver, 'run', 0, 2);
    const key = runKey('repin', 'run', '');
    // Another process (e.g. a put of another saver whose hibernate lost) rewrote the pin, lower.
    const put = await gql(
      'mutation($input: PutCheckpointInput!) { putCheckpoint(input: $input) { __typename ... on PutCheckpointSuccess { checkpoint { rev } } } }',
      { input: { agentType: 'langgraph.pin', agentId: key, state: { checkpointId: 'other' }, thread: { id: key, rev: 1 } } },
    );
    // Cryo rev 2: the two puts pinned seq 1 (the second one confirmed the unchanged pin, writing nothing).
    expect(put.putCheckpoint).toEqual({ __typename: 'PutCheckpointSuccess', checkpoint: { rev: 2 } });
    const more = await changingSteps(saver, 'run', 2, 4, configs[1]);
    const pin = await gql('query($key: String!) { checkpoint(agentType: "langgraph.pin", agentId: $key) { rev state thread { rev } } }', { key });
    // Rewritten twice since (the put that met the stale rev, then the next one): it holds step 2, the latest but one.
    expect(pin.checkpoint).toEqual({ rev: 4, state: { checkpointId: more[1]?.configurable?.checkpoint_id }, thread: { rev: 5 } });
    expect(await trimAsFarAsAllowed(key)).toBe(5);
    const latest = await saver.getTuple({ configurable: { thread_id: 'run', checkpoint_ns: '' } });
    expect(latest?.checkpoint.channel_values).toEqual({ count: 3 });
    await close();
  });
});
