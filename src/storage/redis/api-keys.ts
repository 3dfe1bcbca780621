import type { ApiKeyRecord } from '../../domain/api-key.js';
import { StorageCorrupted, ValidationError } from '../../domain/errors.js';
import type { Page } from '../types.js';
import type { RedisConnection } from './connection.js';
import { fromOrderedHex, orderedHex, type RedisKeys } from './keys.js';

/**
 * API keys on Redis, shared by every instance on it. A key is a hash `{k:<id>}` with the record
 * (`rec`, written once with HSETNX so two creations of one id cannot both win) and its
 * revocation time (`rv`, HSETNX: the first revocation wins); each namespace lists its ids in a
 * lexical sorted set. A revocation is published on one channel, carrying only the key id. Not one
 * atomic script: a crash between the record and the index leaves a key that works but is not
 * listed; revoking it by id still works.
 */
export interface RedisApiKeyParts {
  connection: RedisConnection;
  keys: RedisKeys;
}

export async function createApiKey(parts: RedisApiKeyParts, record: ApiKeyRecord): Promise<void> {
  const { connection, keys } = parts;
  const key = keys.apiKey(record.id);
  const { revokedAt, ...rest } = record;
  const created = Number(await connection.send(key, ['HSETNX', key, 'rec', JSON.stringify(rest)]));
  if (created !== 1) throw new ValidationError('an API key with this id exists', 'id');
  if (revokedAt !== null) await connection.send(key, ['HSETNX', key, 'rv', revokedAt]);
  const index = keys.apiKeyIndex(record.namespace);
  await connection.send(index, ['ZADD', index, '0', orderedHex(record.id)]);
}

export async function getApiKey(parts: RedisApiKeyParts, id: string): Promise<ApiKeyRecord | null> {
  const key = parts.keys.apiKey(id);
  const [rec, rv] = (await parts.connection.send(key, ['HMGET', key, 'rec', 'rv'], true)) as (string | null)[];
  if (rec == null) return null;
  try {
    return { ...(JSON.parse(rec) as Omit<ApiKeyRecord, 'revokedAt'>), revokedAt: rv ?? null };
  } catch {
    throw new StorageCorrupted(`API key ${JSON.stringify(id)} is not valid JSON`);
  }
}

export async function listApiKeys(
  parts: RedisApiKeyParts,
  namespace: string,
  first: number,
  after: string | null,
): Promise<Page<ApiKeyRecord>> {
  const index = parts.keys.apiKeyIndex(namespace);
  const start = after === null ? '-' : `(${orderedHex(after)}`;
  const members = (await parts.connection.send(index, ['ZRANGEBYLEX', index, start, '+', 'LIMIT', '0', String(first + 1)], true)) as string[];
  const records = await Promise.all(members.slice(0, first).map((m) => getApiKey(parts, fromOrderedHex(m))));
  return { items: records.filter((r): r is ApiKeyRecord => r !== null && r.namespace === namespace), hasMore: members.length > first };
}

export async function revokeApiKey(
  parts: RedisApiKeyParts,
  namespace: string,
  id: string,
  at: Date,
  publishCommand: string,
): Promise<boolean> {
  const record = await getApiKey(parts, id);
  if (!record || record.namespace !== namespace || record.revokedAt !== null) return false;
  const key = parts.keys.apiKey(id);
  if (Number(await parts.connection.send(key, ['HSETNX', key, 'rv', at.toISOString()])) !== 1) return false;
  const channel = parts.keys.apiKeyChannel();
  await parts.connection.send(channel, [publishCommand, channel, JSON.stringify({ type: 'api-key-revoked', keyId: id })]);
  return true;
}
