import { buildSchema, GraphQLError, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { useInputListLimit } from '../../src/server/input-list-limit.js';

const APPEND = 'mutation A($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename } }';
const HIBERNATE = 'mutation H($input: HibernateInput!) { hibernate(input: $input) { __typename } }';

/** Runs the plugin's onExecute as Yoga would; returns the result it stopped with, or null when it let the operation run. */
function check(query: string, variableValues: Record<string, unknown> | undefined, maxItems: number, on: GraphQLSchema = schema): ExecutionResult | null {
  let stopped: ExecutionResult | null = null;
  const onExecute = useInputListLimit(maxItems).onExecute as (payload: unknown) => void;
  onExecute({ args: { schema: on, document: parse(query), variableValues }, setResultAndStopExecution: (r: ExecutionResult) => (stopped = r) });
  return stopped;
}

const entries = (n: number) => Array.from({ length: n }, () => ({}));

describe('useInputListLimit', () => {
  it('lets a list of up to maxItems through (the domain limit answers those with its typed error)', () => {
    expect(check(APPEND, { input: { threadId: 't', entries: entries(10) } }, 10)).toBeNull();
    expect(check(APPEND, undefined, 10)).toBeNull();
  });

  it('refuses a longer list before coercion: BAD_USER_INPUT naming the list, HTTP 400 for graphql-response+json clients (spec)', () => {
    const result = check(APPEND, { input: { threadId: 't', entries: entries(11) } }, 10);
    expect(result?.errors).toHaveLength(1);
    const error = result!.errors![0]!;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toBe('input.entries: the list holds 11 items, far more than any operation takes (at most 10 are read)');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.entries', http: { status: 400, spec: true } });
  });

  it('finds lists nested in input objects (hibernate: input.thread.entries)', () => {
    const input = { agentType: 'a', agentId: 'b', state: {}, thread: { id: 't', rev: 20, entries: entries(20) } };
    expect(check(HIBERNATE, { input }, 10)?.errors?.[0]?.extensions).toMatchObject({ field: 'input.thread.entries' });
  });

  it('does not walk into JSON scalars: their size is for the byte limits', () => {
    const input = { threadId: 't', entries: [{ payload: { list: entries(1000) } }] };
    expect(check(APPEND, { input }, 10)).toBeNull();
  });

  it('finds lists below recursive input types', () => {
    const tree = buildSchema('input Node { child: Node, tags: [String!] } type Query { walk(node: Node): Int }');
    const query = 'query W($node: Node) { walk(node: $node) }';
    const deep = { child: { child: { tags: ['a', 'b', 'c'] } } };
    expect(check(query, { node: deep }, 2, tree)?.errors?.[0]?.extensions).toMatchObject({ field: 'node.child.child.tags' });
    expect(check(query, { node: deep }, 3, tree)).toBeNull();
  });
});
