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
