import { afterEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/auth/authenticator.js';
import { issueApiKey } from '../../src/auth/issue-api-key.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';

/**
 * Authenticator.cachedIdentity: the synchronous answer the HTTP guard uses (server/access.ts)
 * must never admit what authenticate() would refuse.
 */
describe('Authenticator.cachedIdentity', () => {
  let storage: Storage;
  let authenticator: Authenticator;
  let clock = Date.parse('2026-11-30T12:00:00Z');
  afterEach(async () => {
    await authenticator.close();
    await storage.close();
  });
  const setUp = async (options: { cacheMs?: number; expiresInSeconds?: number } = {}) => {
    storage = createMemoryStorage();
    authenticator = new Authenticator({ storage, cacheMs: options.cacheMs ?? 10_000, now: () => clock });
    await authenticator.start();
    const { record, secret } = await issueApiKey(storage, { namespace: 'ns', scopes: ['read'], expiresInSeconds: options.expiresInSeconds ?? null }, new Date(clock));
    return { record, header: `Bearer ${secret}` };
  };

  it('knows nothing before a verification, then the verified identity; never a malformed or unknown header', async () => {
    const { record, header } = await setUp();
    expect(authenticator.cachedIdentity(header)).toBeUndefined();
    const identity = await authenticator.authenticate(header);
    expect(authenticator.cachedIdentity(header)).toBe(identity);
    expect(authenticator.cachedIdentity(`bearer   ${header.slice(7)}`)).toBe(identity);
    expect(identity).toMatchObject({ namespace: 'ns', keyId: record.id });
    for (const bad of [null, undefined, '', header.slice(7), `Basic ${header.slice(7)}`, `${header}x`]) {
      expect(authenticator.cachedIdentity(bad)).toBeUndefined();
    }
    await expect(authenticator.authenticate(`${header}x`)).rejects.toThrow();
    expect(authenticator.cachedIdentity(`${header}x`)).toBeUndefined();
  });

  it('forgets a revoked key, a key past its expiry and a verification older than cacheMs', async () => {
    const revoked = await setUp();
    await authenticator.authenticate(revoked.header);
    const gone = new Promise<void>((resolve) => authenticator.onRevoked(() => resolve()));
    await storage.revokeApiKey({ namespace: 'ns', id: revoked.record.id });
    await gone;
    await Promise.resolve();
    expect(authenticator.cachedIdentity(revoked.header)).toBeUndefined();
    await expect(authenticator.authenticate(revoked.header)).rejects.toThrow(/revoked/);
    await authenticator.close();
    await storage.close();

    const expiring = await setUp({ expiresInSeconds: 60 });
    await authenticator.authenticate(expiring.header);
    expect(authenticator.cachedIdentity(expiring.header)).toBeDefined();
    clock += 60_000;
    expect(authenticator.cachedIdentity(expiring.header)).toBeUndefined();
    await expect(authenticator.authenticate(expiring.header)).rejects.toThrow(/expired/);
    await authenticator.close();
    await storage.close();

    const stale = await setUp({ cacheMs: 1000 });
    await authenticator.authenticate(stale.header);
    expect(authenticator.cachedIdentity(stale.header)).toBeDefined();
    clock += 1000;
    expect(authenticator.cachedIdentity(stale.header)).toBeUndefined();
  });
});
