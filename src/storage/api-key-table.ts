import type { ApiKeyRecord } from '../domain/api-key.js';
import { isScope } from '../domain/api-key.js';
import { ValidationError } from '../domain/errors.js';
import type { Limits } from '../domain/limits.js';
import { requireInput, validateId, validatePageSize } from '../domain/validate.js';
import { prepareNamespace } from './prepare-options.js';
import type { ListApiKeysOptions, Page, RevokeApiKeyOptions } from './types.js';

/**
 * Validation of the API key calls of the Storage interface, shared by every adapter, and
 * {@link ApiKeyTable}, the in-process table the memory and file adapters keep.
 */

const HASH = /^[0-9a-f]{64}$/;

/** Validates a record before it is stored; returns a plain copy. */
export function prepareApiKeyRecord(record: ApiKeyRecord, limits: Limits): ApiKeyRecord {
  requireInput(record);
  if (!Array.isArray(record.scopes) || record.scopes.length === 0 || !record.scopes.every((s) => typeof s === 'string' && isScope(s))) {
    throw new ValidationError('scopes must be a non-empty list of read, write, admin, metrics', 'scopes');
  }
  if (typeof record.hash !== 'string' || !HASH.test(record.hash)) throw new ValidationError('hash must be a hex SHA-256', 'hash');
  if (record.label !== null && (typeof record.label !== 'string' || record.label.length > limits.maxIdLength)) {
    throw new ValidationError(`label must be a string of at most ${limits.maxIdLength} characters`, 'label');
  }
  return {
    id: validateId(record.id, 'id', limits),
    namespace: prepareNamespace(record.namespace, limits),
    label: record.label,
    scopes: [...new Set(record.scopes)],
    hash: record.hash,
    createdAt: timestamp(record.createdAt, 'createdAt'),
    expiresAt: record.expiresAt === null ? null : timestamp(record.expiresAt, 'expiresAt'),
    revokedAt: record.revokedAt === null ? null : timestamp(record.revokedAt, 'revokedAt'),
  };
}

/** Validates `{ namespace, first, after }` of listApiKeys. */
export function prepareListApiKeys(options: ListApiKeysOptions, limits: Limits): { namespace: string; first: number; after: string | null } {
  requireInput(options);
  return {
    namespace: prepareNamespace(options.namespace, limits),
    first: validatePageSize(options.first, 'first', limits),
    after: options.after == null ? null : validateId(options.after, 'after', limits),
  };
}

/** Validates `{ namespace, id }` of revokeApiKey. */
export function prepareRevokeApiKey(options: RevokeApiKeyOptions, limits: Limits): { namespace: string; id: string } {
  requireInput(options);
  return { namespace: prepareNamespace(options.namespace, limits), id: validateId(options.id, 'id', limits) };
}

function timestamp(value: unknown, field: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new ValidationError(`${field} must be an ISO-8601 timestamp`, field);
  return new Date(value).toISOString();
}

/**
 * API keys in a Map, for adapters that live in one process. Returns copies. Listing sorts the
 * namespace's ids (O(n log n)); keys are few.
 */
export class ApiKeyTable {
  readonly #keys = new Map<string, ApiKeyRecord>();

  constructor(records: Iterable<ApiKeyRecord> = []) {
    for (const record of records) this.#keys.set(record.id, { ...record, scopes: [...record.scopes] });
  }

  /** Adds a validated record; ValidationError when the id is taken. */
  add(record: ApiKeyRecord): void {
    if (this.#keys.has(record.id)) throw new ValidationError('an API key with this id exists', 'id');
    this.#keys.set(record.id, { ...record, scopes: [...record.scopes] });
  }

  get(id: string): ApiKeyRecord | null {
    const record = this.#keys.get(id);
    return record ? { ...record, scopes: [...record.scopes] } : null;
  }

  list(namespace: string, first: number, after: string | null): Page<ApiKeyRecord> {
    const ids = [...this.#keys.values()]
      .filter((r) => r.namespace === namespace && (after === null || r.id > after))
      .map((r) => r.id)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { items: ids.slice(0, first).map((id) => this.get(id)!), hasMore: ids.length > first };
  }

  /** Revokes a key of `namespace` not yet revoked; true when it did. */
  revoke(namespace: string, id: string, at: Date): boolean {
    const record = this.#keys.get(id);
    if (!record || record.namespace !== namespace || record.revokedAt !== null) return false;
    record.revokedAt = at.toISOString();
    return true;
  }

  /** Every record, for persisting. */
  all(): ApiKeyRecord[] {
    return [...this.#keys.values()].map((r) => ({ ...r, scopes: [...r.scopes] }));
  }
}
