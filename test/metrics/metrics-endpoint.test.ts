import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { wsClient } from '../server/live-helpers.js';

const APPEND = /* GraphQL */ `
  mutation ClientChosenName_tenant_secret_42($input: AppendEntriesInput!) {
    appendEntries(input: $input) { __typename ... on RevisionConflict { expectedRev actualRev } }
  }
`;

let apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});

async function scrape(app: TestApp, headers: Record<string, string> = {}): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`${app.url}metrics`, { headers });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
}

/** The value of one series (a line `name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('serves the operation, storage and process series with bounded labels', async () => {
    const app = await startTestApp('file');
    apps.push(app);
    const threadId = 'tenant-thread-7f3a9c';
    for (let i = 0; i < 3; i++) {
      await app.gql(APPEND, { input: { threadId, entries: [{ id: `e-${i}`, payload: { n: i } }, { id: `f-${i}` }] } });
    }
    await app.gql(APPEND, { input: { threadId, expectedRev: 1, entries: [{ id: 'late' }] } });
    await app.gql('query { __typename }');
    await app.gql('query Mixed { threads(first: 1) { edges { node { id } } } checkpoints(first: 1) { edges { node { agentId } } } }');
    await app.gql('query { nope }');

    const { status, text, type } = await scrape(app);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(text, 'cryo_graphql_operations_total{operation="appendEntries",kind="mutation",outcome="ok"}')).toBe(4);
    expect(sample(text, 'cryo_graphql_operation_duration_seconds_count{operation="appendEntries",kind="mutation"}')).toBe(4);
    expect(sample(text, 'cryo_graphql_operations_total{operation="unknown",kind="query",outcome="ok"}')).toBe(1);
    expect(sample(text, 'cryo_graphql_operations_total{operation="multiple",kind="query",outcome="ok"}')).toBe(1);
    expect(sample(text, 'cryo_entries_appended_total')).toBe(6);
    expect(sample(text, 'cryo_revision_conflicts_total')).toBe(1);
    expect(sample(text, 'cryo_storage_call_duration_seconds_count{method="appendEntries"}')).toBe(4);
    expect(sample(text, 'cryo_storage_unavailable_total')).toBe(0);
    expect(sample(text, 'cryo_file_appends_total')).toBe(3);
    expect(sample(text, 'cryo_file_fsyncs_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'cryo_file_appends_per_fsync')).toBeGreaterThan(0);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    // No caller data in any label: not the thread id, not the client's operation name, not the entry ids.
    expect(text).not.toContain('tenant');
    expect(text).not.toContain('ClientChosenName');
    expect(text).not.toContain('e-0');
    // Every label value is from a closed set.
    const operations = new Set([...text.matchAll(/operation="([^"]*)"/g)].map((m) => m[1]));
    for (const op of operations) expect(['appendEntries', 'unknown', 'multiple']).toContain(op);
  });

  it('counts open live subscriptions and their events, and the gauge goes back down', async () => {
    const app = await startTestApp('memory');
    apps.push(app);
    const client = wsClient(app.graphqlUrl);
    const seen: unknown[] = [];
    const stop = client.subscribe(
      { query: 'subscription { threadEntries(threadId: "t", fromSeq: 0) { __typename } }' },
      { next: (v: unknown) => void seen.push(v), error: () => undefined, complete: () => undefined },
    );
    await eventually(async () => expect(seen.length).toBeGreaterThan(0));
    let text = (await scrape(app)).text;
    expect(sample(text, 'cryo_live_subscriptions{subscription="threadEntries"}')).toBe(1);
    expect(sample(text, 'cryo_live_events_delivered_total{subscription="threadEntries"}')).toBeGreaterThanOrEqual(1);
    stop();
    await eventually(async () => {
      text = (await scrape(app)).text;
      expect(sample(text, 'cryo_live_subscriptions{subscription="threadEntries"}')).toBe(0);
    });
    await client.dispose();
  });

  it('asks the authorizer (the metrics-scope hook) before serving', async () => {
    const app = await startTestApp('memory', {}, {
      authorizeMetrics: (request) => request.headers.get('authorization') === 'Bearer scrape-token',
    });
    apps.push(app);
    expect((await scrape(app)).status).toBe(403);
    expect((await scrape(app, { authorization: 'Bearer wrong' })).status).toBe(403);
    expect((await scrape(app, { authorization: 'Bearer scrape-token' })).status).toBe(200);
  });

  it('CRYO_METRICS=off: no /metrics route, nothing measured', async () => {
    const app = await startTestApp('memory', { metrics: false });
    apps.push(app);
    expect(app.app.metrics).toBeNull();
    const { status } = await scrape(app);
    expect(status).toBe(404);
  });
});
