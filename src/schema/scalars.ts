import { GraphQLError, Kind, type ObjectValueNode, type ValueNode } from 'graphql';
import { isJsonObject, type JsonObject, type JsonValue } from '../domain/json.js';
import { parseIsoTimestamp } from '../domain/validate.js';
import { builder } from './builder.js';

/**
 * The three custom scalars. Each validates its input (variables and inline literals) and says
 * what was wrong; outputs are trusted (they come from storage, already validated on the way in).
 * Size limits are NOT checked here: the domain validation does that with the field's name.
 */

function literalToJson(node: ValueNode, variables: Record<string, unknown> | null | undefined): JsonValue {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return objectLiteral(node, variables);
    case Kind.VARIABLE: {
      const value = variables?.[node.name.value];
      return value === undefined ? null : (value as JsonValue);
    }
  }
}

function objectLiteral(node: ObjectValueNode, variables: Record<string, unknown> | null | undefined): JsonObject {
  const out: JsonObject = Object.create(null) as JsonObject;
  for (const field of node.fields) out[field.name.value] = literalToJson(field.value, variables);
  return { ...out };
}

function assertJsonValue(value: unknown, path = 'value'): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new GraphQLError(`JSON: ${path} is not a finite number`);
    return value;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonValue(item, `${path}[${i}]`));
    return value as JsonValue[];
  }
  if (isJsonObject(value)) return value;
  throw new GraphQLError(`JSON: ${path} is not a JSON value`);
}

/** `JSON`: any JSON value; non-finite numbers and non-JSON objects are refused. */
builder.scalarType('JSON', {
  description: 'Any JSON value: object, array, string, number, boolean or null.',
  serialize: (value) => value,
  parseValue: (value) => assertJsonValue(value),
  parseLiteral: (node, variables) => literalToJson(node, variables),
});

function assertJsonObject(value: unknown): JsonObject {
  if (!isJsonObject(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new GraphQLError(`JSONObject must be a JSON object (got ${got})`);
  }
  return value;
}

/** `JSONObject`: a plain JSON object; arrays, null and primitives are refused. */
export const JSONObjectScalar = builder.scalarType('JSONObject', {
  description: 'A JSON object (never an array, a string, a number or null).',
  serialize: (value) => value,
  parseValue: (value) => assertJsonObject(value),
  parseLiteral: (node, variables) => {
    if (node.kind !== Kind.OBJECT) throw new GraphQLError(`JSONObject must be a JSON object (got ${node.kind})`);
    return objectLiteral(node, variables);
  },
});

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string') throw new GraphQLError(`DateTime must be an ISO-8601 string (got a ${typeof value})`);
  const date = parseIsoTimestamp(value);
  if (!date) {
    throw new GraphQLError(
      `DateTime must be an ISO-8601 date-time with a time zone, e.g. 2026-01-02T03:04:05.678Z (got ${JSON.stringify(value.slice(0, 64))})`,
    );
  }
  return date;
}

/** `DateTime`: input parsed to a Date by the domain's rule (zone required, impossible dates refused); output ISO UTC with ms. */
export const DateTimeScalar = builder.scalarType('DateTime', {
  description: 'An ISO-8601 UTC timestamp with milliseconds, e.g. 2026-01-02T03:04:05.678Z. Input accepts any ISO-8601 date-time with a time zone.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : value),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING) throw new GraphQLError(`DateTime must be an ISO-8601 string (got ${node.kind})`);
    return parseDateTime(node.value);
  },
});
