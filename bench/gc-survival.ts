/**
 * How much of the young generation survives each minor GC while one operation runs in a loop
 * through Cryo's Yoga (in process, `yoga.fetch`, no sockets; memory storage, auth off, metrics
 * on). Survivors are copied and promoted, so this is what makes minor GCs of an operation
 * expensive (bench/README.md). Run with V8's GC trace and read `new_space_survived` (bytes):
 *
 *   node --trace-gc-nvp --import tsx bench/gc-survival.ts [query|mutation|query-typename|mutation-typename] | grep gc=s | grep -o 'new_space_survived=[0-9]*' | tail -4 | head -3
 *
 * Once warm (the last minor GCs), every operation leaves ~10-15 KB per minor GC. Before
 * server/jit-execute.ts compiled one-field mutations like queries, graphql-jit's serial wrapper
 * made `mutation { __typename }` leave ~225 KB and deleteThread ~256 KB (~460 KB without
 * server/release-request-caches.ts): each mutation's request and context outlived it until the
 * next minor GC. A regression shows here first. Not a test.
 */
process.env['NODE_ENV'] ??= 'production';
const { buildApp } = await import('../src/app.js');
const { defineConfig } = await import('../src/config.js');
const app = await buildApp(defineConfig({ storage: 'memory:', port: 0, production: true, logLevel: 'silent', shutdownGraceMs: 1000, auth: { mode: 'off' } }), {
  dashboardDir: null,
  operationsDir: null,
});
const OPERATIONS: Record<string, string> = {
  query: '{ thread(id: "nothing") { id } }',
  mutation: 'mutation { deleteThread(id: "nothing") { deleted } }',
  'query-typename': '{ __typename }',
  'mutation-typename': 'mutation { __typename }',
};
const query = OPERATIONS[process.argv[2] ?? 'query'] ?? OPERATIONS['query']!;
const body = JSON.stringify({ query });
for (let i = 0; i < 30_000; i++) {
  const response = await app.yoga.fetch('http://cryo.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (!text.includes('"data"')) throw new Error(`unexpected answer: ${text}`);
}
await app.stop();
