import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { DEFAULT_LIMITS } from '../../src/domain/limits.js';
import { LocalChangeFeed } from '../../src/storage/local-change-feed.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { describeStorageConformance } from 'cryo/storage/conformance';

describeStorageConformance('memory', async ({ limits }) => ({ storage: createMemoryStorage({ limits }) }));

describe('memory adapter specifics', () => {
  it('uses the injected clock for thread, entry and checkpoint times', async () => {
    let t = Date.parse('2030-01-01T00:00:00.000Z');
    const storage = createMemoryStorage({ now: () => new Date(t) });
    try {
      const first = await storage.appendEntries({ threadId: 't', entries: [{}] });
      expect(first.thread).toMatchObject({ createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z' });
      expect(first.entries[0]!.at).toBe('2030-01-01T00:00:00.000Z');
      t += 1500;
      const second = await storage.appendEntries({ threadId: 't', entries: [{}] });
      expect(second.thread).toMatchObject({ createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:01.500Z' });
      const checkpoint = await storage.putCheckpoint({ agentType: 'a', agentId: 'b', state: {} });
      expect(checkpoint.createdAt).toBe('2030-01-01T00:00:01.500Z');
    } finally {
      await storage.close();
    }
  });

  it('applies partial limit overrides over the defaults', async () => {
    const storage = createMemoryStorage({ limits: { maxEntriesPerAppend: 2 } });
    try {
      await expect(storage.appendEntries({ threadId: 't', entries: [{}, {}, {}] })).rejects.toBeInstanceOf(ValidationError);
      const ok = await storage.appendEntries({ threadId: 'x'.repeat(DEFAULT_LIMITS.maxIdLength), entries: [{}, {}] });
      expect(ok.thread.rev).toBe(2);
    } finally {
      await storage.close();
    }
  });

  it('reports kind "memory" and uses a LocalChangeFeed', () => {
    const storage = createMemoryStorage();
    expect(storage.kind).toBe('memory');
    expect(storage.changes).toBeInstanceOf(LocalChangeFeed);
  });
});
