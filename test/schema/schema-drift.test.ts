import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { printCryoSchema, schema } from '../../src/schema/index.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Every difference between the contract and our schema: missing types, fields, args, members. */
function contractGaps(contract: GraphQLSchema, ours: GraphQLSchema): string[] {
  const gaps: string[] = [];
  for (const expected of Object.values(contract.getTypeMap())) {
    if (isIntrospectionType(expected) || isSpecifiedScalarType(expected)) continue;
    const actual = ours.getType(expected.name);
    if (!actual) {
      gaps.push(`missing type ${expected.name}`);
      continue;
    }
    if (actual.constructor !== expected.constructor) gaps.push(`${expected.name} is a ${kind(actual)}, not a ${kind(expected)}`);
    if ((isObjectType(expected) || isInterfaceType(expected)) && (isObjectType(actual) || isInterfaceType(actual))) {
      for (const iface of expected.getInterfaces()) {
        if (!actual.getInterfaces().some((i) => i.name === iface.name)) gaps.push(`${expected.name} does not implement ${iface.name}`);
      }
      const fields = actual.getFields();
      for (const field of Object.values(expected.getFields())) {
        const mine = fields[field.name];
        if (!mine) {
          gaps.push(`missing field ${expected.name}.${field.name}`);
          continue;
        }
        if (String(mine.type) !== String(field.type)) gaps.push(`${expected.name}.${field.name}: ${mine.type} instead of ${field.type}`);
        for (const arg of field.args) {
          const myArg = mine.args.find((a) => a.name === arg.name);
          if (!myArg) gaps.push(`missing argument ${expected.name}.${field.name}(${arg.name})`);
          else if (String(myArg.type) !== String(arg.type)) gaps.push(`${expected.name}.${field.name}(${arg.name}): ${myArg.type} instead of ${arg.type}`);
          else if (arg.defaultValue !== undefined && myArg.defaultValue !== arg.defaultValue) {
            gaps.push(`${expected.name}.${field.name}(${arg.name}) default ${String(myArg.defaultValue)} instead of ${String(arg.defaultValue)}`);
          }
        }
        for (const myArg of mine.args) {
          if (!field.args.some((a) => a.name === myArg.name) && String(myArg.type).endsWith('!') && myArg.defaultValue === undefined) {
            gaps.push(`${expected.name}.${field.name}(${myArg.name}) is an added required argument`);
          }
        }
      }
    }
    if (isInputObjectType(expected) && isInputObjectType(actual)) {
      const fields = actual.getFields();
      for (const field of Object.values(expected.getFields())) {
        const mine = fields[field.name];
        if (!mine) gaps.push(`missing input field ${expected.name}.${field.name}`);
        else if (String(mine.type) !== String(field.type)) gaps.push(`${expected.name}.${field.name}: ${mine.type} instead of ${field.type}`);
      }
      for (const mine of Object.values(fields)) {
        if (!expected.getFields()[mine.name] && String(mine.type).endsWith('!') && mine.defaultValue === undefined) {
          gaps.push(`${expected.name}.${mine.name} is an added required input field`);
        }
      }
    }
    if (isUnionType(expected) && isUnionType(actual)) {
      for (const member of expected.getTypes()) {
        if (!actual.getTypes().some((t) => t.name === member.name)) gaps.push(`union ${expected.name} lacks ${member.name}`);
      }
    }
  }
  for (const rootName of ['Query', 'Mutation', 'Subscription'] as const) {
    const get = (s: GraphQLSchema) =>
      rootName === 'Query' ? s.getQueryType() : rootName === 'Mutation' ? s.getMutationType() : s.getSubscriptionType();
    if (get(contract) && get(ours)?.name !== rootName) gaps.push(`${rootName} is not the ${rootName.toLowerCase()} root`);
  }
  return gaps;
}

function kind(type: GraphQLNamedType): string {
  return type.constructor.name;
}

function missingDescriptions(ours: GraphQLSchema): string[] {
  const missing: string[] = [];
  const has = (d: string | null | undefined) => typeof d === 'string' && d.trim().length > 0;
  for (const type of Object.values(ours.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (!has(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!has(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (!has(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (!has(field.description)) missing.push(`${type.name}.${field.name}`);
    }
  }
  return missing;
}

describe('schema.graphql', () => {
  it('is the sorted print of the code schema (run `npm run schema` when this fails)', () => {
    expect(readFileSync(root('schema.graphql'), 'utf8')).toBe(printCryoSchema());
  });

  it('parses back into a schema with the same types', () => {
    const reparsed = buildSchema(readFileSync(root('schema.graphql'), 'utf8'));
    const names = (s: GraphQLSchema) =>
      Object.values(s.getTypeMap()).filter((t) => !isSpecifiedScalarType(t)).map((t) => t.name).sort();
    expect(names(reparsed)).toEqual(names(schema));
  });
});

describe('the API.graphql contract (test/fixtures/API.graphql)', () => {
  const contract = buildSchema(readFileSync(root('test/fixtures/API.graphql'), 'utf8'));

  it('is met by every query, mutation, subscription, type, field, argument and union member', () => {
    expect(contractGaps(contract, schema)).toEqual([]);
  });

  it('would catch a drop, a rename or a changed type', () => {
    const broken = buildSchema(
      printCryoSchema()
        .replace('  expectedRev: Int!\n', '  expected: Int!\n')
        .replace('union AppendEntriesResult = AppendEntriesSuccess | RevisionConflict | ValidationError', 'union AppendEntriesResult = AppendEntriesSuccess | RevisionConflict')
        .replace('  totalCount: Int!', '  totalCount: Int'),
    );
    const gaps = contractGaps(contract, broken);
    expect(gaps).toContain('missing field RevisionConflict.expectedRev');
    expect(gaps).toContain('union AppendEntriesResult lacks ValidationError');
    expect(gaps).toContain('EntryConnection.totalCount: Int instead of Int!');
  });

  it('has a fixture that is part of ../shared/API.graphql when that copy is present (nothing renamed or invented)', () => {
    let shared: string;
    try {
      shared = readFileSync(root('../shared/API.graphql'), 'utf8');
    } catch {
      return;
    }
    // The fixture holds the parts of the shared contract implemented so far; it grows with them.
    // What the shared contract has beyond it is work still open, not a drift.
    expect(contractGaps(contract, buildSchema(shared))).toEqual([]);
  });
});
