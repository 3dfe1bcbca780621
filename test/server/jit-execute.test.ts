import type { GraphQLResolveInfo } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useJitExecution } from '../../src/server/jit-execute.js';

/** A small schema with a JSON-like scalar, a throwing field and a counter to see what ran. */
function setup(compileAfter: number) {
  const compiled: { operationName: string | null; compiled: boolean }[] = [];
  let echoes = 0;
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        scalar Any
        type Query { echo(value: Any, n: Int): Any, boom: String }
      `,
      resolvers: {
        Query: {
          echo: (_: unknown, args: { value?: unknown; n?: number }) => {
            echoes++;
            return { value: args.value ?? null, n: args.n ?? null };
          },
          boom: () => {
            throw new Error('boom');
          },
        },
      },
    }),
    maskedErrors: false,
    logging: false,
    plugins: [useJitExecution({ compileAfter, onCompile: (event) => compiled.push(event) })],
  });
  const run = async (query: string, variables?: Record<string, unknown>, operationName?: string) => {
    const response = await yoga.fetch('http://cryo.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables, operationName }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { run, compiled, echoes: () => echoes };
}

describe('useJitExecution', () => {
  it('compiles an operation after compileAfter standard runs, with the same results before and after', async () => {
    const { run, compiled } = setup(2);
    const query = 'query Echo($n: Int) { echo(value: "x", n: $n) }';
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await run(query, { n: i }, 'Echo'));
    expect(results.map((r) => r.body)).toEqual([0, 1, 2, 3].map((n) => ({ data: { echo: { value: 'x', n } } })));
    expect(compiled).toEqual([{ operationName: 'Echo', compiled: true }]);
  });

  it('keeps documents with a variable inside a list or object literal on the standard executor', async () => {
    const { run, compiled } = setup(0);
    const result = await run('query Lit($v: Int) { echo(value: { a: [$v] }) }', { v: 7 }, 'Lit');
    expect(result.body).toEqual({ data: { echo: { value: { a: [7] }, n: null } } });
    expect(compiled).toEqual([{ operationName: 'Lit', compiled: false }]);
  });

  it('hands variables it refuses to the standard executor: canonical 400 error, the resolver never runs', async () => {
    const { run, echoes } = setup(0);
    const result = await run('query Bad($n: Int) { echo(n: $n) }', { n: 'seven' });
    expect(result.status).toBe(400);
    expect((result.body as { errors: { message: string }[] }).errors[0]!.message).toMatch(/^Variable "\$n" got invalid value "seven"; Int cannot represent non-integer value/);
    expect(echoes()).toBe(0);
  });

  it('reports a resolver error with its path and location, as the standard executor does', async () => {
    const standard = await setup(100).run('{ boom }');
    const jit = await setup(0).run('{ boom }');
    expect(jit.body).toEqual(standard.body);
    expect(jit.body).toMatchObject({ data: { boom: null }, errors: [{ message: 'boom', path: ['boom'], locations: [{ line: 1, column: 3 }] }] });
  });

  it('compiles a one-field mutation like a query (same results and resolver info), keeps several root fields serial', async () => {
    const seen: GraphQLResolveInfo[] = [];
    const order: string[] = [];
    const schema = createSchema({
      typeDefs: 'type Query { x: Int } type Result { n: Int, kind: String } type Mutation { step(n: Int!): Result }',
      resolvers: {
        Mutation: {
          step: async (_: unknown, { n }: { n: number }, _ctx: unknown, info: GraphQLResolveInfo) => {
            seen.push(info);
            order.push(`start ${n}`);
            // Step 1 yields to the event loop: run in parallel, step 2 would start before it ends.
            if (n === 1) await new Promise((resolve) => setImmediate(resolve));
            order.push(`end ${n}`);
            return { n };
          },
        },
        Result: { kind: (_: unknown, _args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => `${info.operation.operation} ${info.parentType.name}` },
      },
    });
    const compiled: { operationName: string | null; compiled: boolean }[] = [];
    const yoga = createYoga({ schema, logging: false, plugins: [useJitExecution({ compileAfter: 0, onCompile: (e) => compiled.push(e) })] });
    const run = async (query: string) => (await yoga.fetch('http://cryo.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json();

    expect(await run('mutation One { step(n: 1) { __typename n kind } }')).toEqual({ data: { step: { __typename: 'Result', n: 1, kind: 'mutation Result' } } });
    expect(compiled).toEqual([{ operationName: null, compiled: true }]);
    expect(seen[0]!.operation.operation).toBe('mutation');
    expect(seen[0]!.schema).toBe(schema);
    expect(seen[0]!.parentType).toBe(schema.getMutationType());
    expect(await run('mutation { __typename }')).toEqual({ data: { __typename: 'Mutation' } });

    order.length = 0;
    expect(await run('mutation Two { a: step(n: 1) { n } b: step(n: 2) { n } }')).toEqual({ data: { a: { n: 1 }, b: { n: 2 } } });
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    expect(compiled).toHaveLength(3);
    expect(compiled.every((e) => e.compiled)).toBe(true);
  });
});
