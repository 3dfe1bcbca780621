import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin, { RequestCache } from '@pothos/plugin-scope-auth';
import { createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useJitExecution } from '../../src/server/jit-execute.js';
import { useReleaseRequestCaches } from '../../src/server/release-request-caches.js';

/** A Pothos schema with scope auth that counts how often the scopes of a context are computed. */
function setup(release: boolean) {
  let scopeCalls = 0;
  const builder = new SchemaBuilder<{ AuthScopes: { ok: boolean } }>({
    plugins: [ScopeAuthPlugin],
    scopeAuth: {
      authScopes: () => {
        scopeCalls++;
        return { ok: true };
      },
    },
  });
  builder.queryType({ fields: (t) => ({ hello: t.string({ authScopes: { ok: true }, resolve: () => 'world' }) }) });
  builder.mutationType({ fields: (t) => ({ touch: t.boolean({ authScopes: { ok: true }, resolve: async () => true }) }) });
  const contexts: object[] = [];
  const capture: Plugin = { onExecute: ({ context }) => void contexts.push(context) };
  const yoga = createYoga({
    schema: builder.toSchema(),
    logging: false,
    plugins: [capture, useJitExecution({ compileAfter: 0 }), ...(release ? [useReleaseRequestCaches()] : [])],
  });
  const run = async (query: string) => {
    const response = await yoga.fetch('http://cryo.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return response.json();
  };
  /** Computes the scopes of the context of the last operation through its cache: true when they had to be computed again. */
  const recomputed = async () => {
    const before = scopeCalls;
    await RequestCache.fromContext(contexts.at(-1)!, builder).getScopes();
    return scopeCalls > before;
  };
  return { run, recomputed };
}

describe('useReleaseRequestCaches', () => {
  it("drops the scope-auth cache of each executed query and mutation (and the test sees it kept without the plugin)", async () => {
    for (const release of [true, false]) {
      const { run, recomputed } = setup(release);
      expect(await run('{ hello }')).toEqual({ data: { hello: 'world' } });
      expect(await recomputed()).toBe(release);
      expect(await run('mutation { touch }')).toEqual({ data: { touch: true } });
      expect(await recomputed()).toBe(release);
    }
  });
});
