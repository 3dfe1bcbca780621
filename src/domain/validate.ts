import { ValidationError } from './errors.js';
import { isJsonObject, jsonByteLength, type JsonObject } from './json.js';
import { MAX_REV, type Limits } from './limits.js';

// C0/C1 control characters; ids may hold any other unicode, including `/`, `..` and emoji.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const KIND = /^[A-Za-z0-9_.:-]+$/;

/** Checks that a call's options (or request) are an object: a ValidationError on field `input` otherwise. */
export function requireInput(value: unknown): void {
  if (value === null || typeof value !== 'object') throw new ValidationError('must be an object', 'input');
}

/** Checks an id (thread, entry, agentType, agentId, namespace): 1..maxIdLength chars, no control chars. */
export function validateId(value: unknown, field: string, limits: Limits): string {
  if (typeof value !== 'string') throw new ValidationError('must be a string', field);
  if (value.length === 0) throw new ValidationError('must not be empty', field);
  if (value.length > limits.maxIdLength) {
    throw new ValidationError(`must be at most ${limits.maxIdLength} characters (got ${value.length})`, field);
  }
  if (CONTROL.test(value)) throw new ValidationError('must not contain control characters', field);
  if (!value.isWellFormed()) throw new ValidationError('must be well-formed unicode (no lone surrogates)', field);
  return value;
}

/** Checks an entry kind: 1..maxKindLength chars of `[A-Za-z0-9_.:-]`. */
export function validateKind(value: unknown, field: string, limits: Limits): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError('must be a non-empty string', field);
  if (value.length > limits.maxKindLength) {
    throw new ValidationError(`must be at most ${limits.maxKindLength} characters (got ${value.length})`, field);
  }
  if (!KIND.test(value)) throw new ValidationError('may only contain letters, digits and _ . : -', field);
  return value;
}

/** Checks that `value` is a JSON object holding only JSON values (see findNonJson) whose serialization is at most `maxBytes`. */
export function validateJsonObject(value: unknown, field: string, maxBytes: number): JsonObject {
  validateJsonObjectBytes(value, field, maxBytes);
  return value as JsonObject;
}

/**
 * The same check as {@link validateJsonObject} (same errors), returning the UTF-8 byte length of
 * the object's JSON serialization, for callers that add sizes up instead of serializing again.
 */
export function validateJsonObjectBytes(value: unknown, field: string, maxBytes: number): number {
  if (!isJsonObject(value)) throw new ValidationError('must be a JSON object', field);
  const bad = findNonJson(value, 0);
  if (bad) throw new ValidationError(`must hold only JSON values: ${bad[0].replace(/^\./, '')} ${bad[1]}`, field);
  const bytes = jsonByteLength(value);
  if (bytes > maxBytes) throw new ValidationError(`must be at most ${maxBytes} bytes serialized (got ${bytes})`, field);
  return bytes;
}

/** Deepest nesting of objects and arrays accepted inside a JSON input (the top-level object is level 0). */
export const MAX_JSON_DEPTH = 256;

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

/**
 * The first value inside `value` that JSON would silently change or drop, or cannot serialize at
 * all (non-finite numbers, undefined, functions, symbols, bigints, Dates and other non-plain
 * objects, nesting deeper than MAX_JSON_DEPTH, which includes cycles), as [path, reason]; null
 * when `value` round-trips through JSON.stringify/JSON.parse (except that -0 reads back as 0).
 */
function findNonJson(value: unknown, depth: number): [string, string] | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : ['', `is ${value}, not a finite number`];
    case 'object':
      break;
    default:
      return ['', `is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, not a JSON value`];
  }
  if (value === null) return null;
  if (depth >= MAX_JSON_DEPTH) return ['', `nests deeper than ${MAX_JSON_DEPTH} levels (or is circular)`];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findNonJson(value[i], depth + 1);
      if (bad) return [`[${i}]${bad[0]}`, bad[1]];
    }
    return null;
  }
  if (!isJsonObject(value)) return ['', `is a ${value.constructor?.name ?? 'non-plain object'}, not a plain JSON object`];
  for (const key of Object.keys(value)) {
    const bad = findNonJson((value as Record<string, unknown>)[key], depth + 1);
    if (bad) return [`${PLAIN_KEY.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}${bad[0]}`, bad[1]];
  }
  return null;
}

/** Checks an expected revision: an integer in 0..2^31-1. `null`/`undefined` pass through as undefined. */
export function validateExpectedRev(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  return validateRev(value, field);
}

/** Checks a revision or seq: an integer in 0..2^31-1. */
export function validateRev(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ValidationError('must be an integer', field);
  if (value < 0) throw new ValidationError('must not be negative', field);
  if (value > MAX_REV) throw new ValidationError(`must be at most ${MAX_REV}`, field);
  return value;
}

/** Checks a page size (1..maxPageSize); absent means `defaultPageSize`. */
export function validatePageSize(value: unknown, field: string, limits: Limits): number {
  if (value === undefined || value === null) return limits.defaultPageSize;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ValidationError('must be an integer', field);
  if (value < 1 || value > limits.maxPageSize) {
    throw new ValidationError(`must be between 1 and ${limits.maxPageSize} (got ${value})`, field);
  }
  return value;
}

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * Parses an ISO-8601 date-time with a time zone (`Z` or an offset) into a Date; null for anything
 * else: no zone (which Date would read as server-local time), a date only, other formats Date
 * happens to accept, impossible dates (Feb 30, hour 24; Date would roll them over). Fractions
 * beyond milliseconds are cut. The same rules as the API's DateTime scalar.
 */
export function parseIsoTimestamp(value: string): Date | null {
  const m = ISO_8601.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number, number, number, number, number, number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Checks a timestamp (a valid Date, or a string {@link parseIsoTimestamp} accepts) in the years
 * 0000-9999 UTC, so the result can always be sent back, and returns it as ISO-8601 UTC with milliseconds.
 */
export function validateTimestamp(value: unknown, field: string): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? parseIsoTimestamp(value) : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new ValidationError('must be an ISO-8601 date-time with a time zone, e.g. 2026-01-02T03:04:05.678Z', field);
  }
  const iso = date.toISOString();
  // Years outside 0000-9999 print as ±YYYYYY, which the check above (and the API) refuses on input.
  if (iso.length !== 24) throw new ValidationError('must be in the years 0000 to 9999 (UTC)', field);
  return iso;
}
