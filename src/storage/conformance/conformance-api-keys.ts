import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../../domain/api-key.js';
import { ValidationError } from '../../domain/errors.js';
import { EventLog, rejection, rid, type ConformanceContext } from './conformance-helpers.js';

/** A fresh record in `namespace` (the hash of a random token, as the auth layer stores it). */
export function apiKeyRecord(namespace: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: rid('k'),
    namespace,
    label: 'agent',
    scopes: ['read', 'write'],
    hash: createHash('sha256').update(randomBytes(32)).digest('hex'),
    createdAt: new Date().toISOString(),
    expiresAt: null,
    revokedAt: null,
    ...overrides,
  };
}

/** API keys: stored as hashes, found by id from any namespace, listed and revoked per namespace. */
export function apiKeyTests(ctx: ConformanceContext): void {
  describe('API keys', () => {
    it('stores a key and finds it by id, whatever the namespace', async () => {
      const s = ctx.storage();
      const record = apiKeyRecord(rid('ns'), { expiresAt: new Date(Date.now() + 60_000).toISOString(), scopes: ['admin'] });
      await s.createApiKey(record);
      expect(await s.getApiKey(record.id)).toEqual(record);
      expect(await s.getApiKey(rid('k'))).toBeNull();
    });

    it('refuses a second key with the same id, in any namespace, and keeps the first', async () => {
      const s = ctx.storage();
      const record = apiKeyRecord(rid('ns'));
      await s.createApiKey(record);
      await rejection(s.createApiKey(apiKeyRecord(rid('ns'), { id: record.id })), ValidationError, { field: 'id' });
      expect(await s.getApiKey(record.id)).toEqual(record);
    });

    it('refuses malformed records and writes nothing', async () => {
      const s = ctx.storage();
      const ns = rid('ns');
      await rejection(s.createApiKey(apiKeyRecord(ns, { scopes: [] })), ValidationError, { field: 'scopes' });
      await rejection(s.createApiKey(apiKeyRecord(ns, { scopes: ['root'] })), ValidationError, { field: 'scopes' });
      await rejection(s.createApiKey(apiKeyRecord(ns, { hash: 'secret' })), ValidationError, { field: 'hash' });
      await rejection(s.createApiKey(apiKeyRecord(ns, { id: '' })), ValidationError, { field: 'id' });
      expect((await s.listApiKeys({ namespace: ns })).items).toEqual([]);
    });

    it('lists the keys of one namespace only, ordered by id, in pages', async () => {
      const s = ctx.storage();
      const [a, b] = [rid('ns'), rid('ns')];
      const mine = [apiKeyRecord(a), apiKeyRecord(a), apiKeyRecord(a)];
      for (const r of mine) await s.createApiKey(r);
      await s.createApiKey(apiKeyRecord(b));
      const ids = mine.map((r) => r.id).sort();
      const first = await s.listApiKeys({ namespace: a, first: 2 });
      expect(first.items.map((r) => r.id)).toEqual(ids.slice(0, 2));
      expect(first.hasMore).toBe(true);
      const rest = await s.listApiKeys({ namespace: a, first: 2, after: ids[1] });
      expect(rest.items.map((r) => r.id)).toEqual(ids.slice(2));
      expect(rest.hasMore).toBe(false);
      expect((await s.listApiKeys({ namespace: b })).items).toHaveLength(1);
    });

    it('revokes once, only within the namespace, and announces it on the change feed', async () => {
      const s = ctx.storage();
      const ns = rid('ns');
      const record = apiKeyRecord(ns);
      await s.createApiKey(record);
      const log = new EventLog();
      const stop = await s.changes.subscribeApiKeys(log.listener);
      try {
        expect(await s.revokeApiKey({ namespace: rid('other'), id: record.id })).toBe(false);
        expect((await s.getApiKey(record.id))?.revokedAt).toBeNull();
        expect(await s.revokeApiKey({ namespace: ns, id: record.id })).toBe(true);
        expect(await log.waitFor((e) => e.type === 'api-key-revoked')).toEqual({ type: 'api-key-revoked', keyId: record.id });
        const revoked = await s.getApiKey(record.id);
        expect(Date.parse(revoked?.revokedAt ?? '')).not.toBeNaN();
        expect(await s.revokeApiKey({ namespace: ns, id: record.id })).toBe(false);
        expect(await s.revokeApiKey({ namespace: ns, id: rid('k') })).toBe(false);
        expect(log.events.filter((e) => e.type === 'api-key-revoked')).toHaveLength(1);
      } finally {
        await stop();
      }
    });
  });
}
