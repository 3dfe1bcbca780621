import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const FIRST_STEPS = /<!-- section:first-steps -->([\s\S]*?)<!-- \/section:first-steps -->/.exec(README)?.[1] ?? '';

/** The JSON bodies of the section's curl commands, in order (`--data-binary @- <<'JSON' … JSON`). */
const bodies = [...FIRST_STEPS.matchAll(/<<'JSON'\n([\s\S]*?)\nJSON\n/g)].map((m) => m[1]!);

describe('README first steps', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite'); // the default engine of `npm start`
  });
  afterAll(() => t?.close());

  it('target the default address and post valid JSON', () => {
    expect(bodies.length).toBe(4);
    expect(FIRST_STEPS.match(/curl -s http:\/\/127\.0\.0\.1:4000\/graphql/g)).toHaveLength(4);
    for (const body of bodies) expect(() => JSON.parse(body)).not.toThrow();
  });

  it('run in order on a fresh server: append, read, hibernate, thaw', async () => {
    const results = [];
    for (const body of bodies) {
      const { query, variables } = JSON.parse(body) as { query: string; variables: Record<string, unknown> };
      const { status, body: reply } = await t.gql(query, variables);
      expect(status).toBe(200);
      expect(reply.errors).toBeUndefined();
      results.push(reply.data);
    }
    const [append, read, hibernate, thaw] = results as any[];
    expect(append.appendEntries).toMatchObject({ __typename: 'AppendEntriesSuccess', thread: { rev: 2 } });
    expect(read.thread.entries.totalCount).toBe(2);
    expect(hibernate.hibernate).toMatchObject({ __typename: 'HibernateSuccess', flushed: 1, checkpoint: { rev: 1, thread: { rev: 3 } } });
    expect(thaw.thaw).toMatchObject({ __typename: 'ThawSuccess', checkpoint: { rev: 1 }, thread: { rev: 3 }, pendingEntries: [] });
    expect(thaw.thaw.thread.entries.edges.map((e: any) => e.node.kind)).toEqual(['user', 'assistant', 'tool']);
  });
});
