/** A JSON value as stored and returned by Cryo. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object (never an array or null). */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** True when `value` is a plain JSON object: not null, not an array, not a class instance. */
export function isJsonObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** UTF-8 byte length of the JSON serialization of `value`. */
export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * True when two JSON values are deep-equal: same scalars, arrays element by element, objects with
 * the same keys (in any order) and equal values. Does not treat -0 and 0 differently.
 */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]!));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key]!, b[key]!));
}
