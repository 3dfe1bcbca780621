import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  type DocumentNode,
  type FragmentDefinitionNode,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const dir = join(root, 'playground', 'operations');
const schema = buildSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));
const files = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
const definitions = files.flatMap((f) => parse(readFileSync(join(dir, f), 'utf8')).definitions);
const operations = definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
const fragments = definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
const variables = JSON.parse(readFileSync(join(dir, 'variables.json'), 'utf8')) as Record<string, Record<string, unknown>>;

describe('playground/operations', () => {
  it('has a saved operation for every root field of schema.graphql', () => {
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    const wanted = roots.flatMap((type) => (type ? Object.keys(type.getFields()).map((f) => `${type.name}.${f}`) : []));
    const typeOf = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;
    const covered = new Set(
      operations.flatMap((op) =>
        op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [`${typeOf[op.operation]}.${s.name.value}`] : [])),
      ),
    );
    expect(schema.getSubscriptionType(), 'schema.graphql has no Subscription type yet').toBeTruthy();
    expect(wanted.filter((field) => !covered.has(field))).toEqual([]);
  });

  it('holds named operations that validate against the schema', () => {
    const document: DocumentNode = { kind: Kind.DOCUMENT, definitions };
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
    expect(operations.every((op) => op.name)).toBe(true);
    expect(fragments.length).toBeGreaterThan(0);
  });

  it('gives every operation example variables that the schema accepts', () => {
    const names = operations.map((op) => op.name!.value).sort();
    expect(Object.keys(variables).sort()).toEqual(names);
    for (const op of operations) {
      const coerced = getVariableValues(schema, op.variableDefinitions ?? [], variables[op.name!.value] ?? {});
      expect(coerced.errors?.map((e) => `${op.name!.value}: ${e.message}`) ?? []).toEqual([]);
    }
  });
});
