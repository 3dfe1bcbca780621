import { createHash } from 'node:crypto';
import type { Storage } from '../../src/storage/types.js';

/** Threads, entries and checkpoints of two namespaces, with the awkward cases an export must carry. */
export async function seedStore(storage: Storage): Promise<void> {
  // A thread longer than one page and one import chunk.
  for (let seq = 0; seq < 2500; seq += 500) {
    await storage.appendEntries({
      threadId: 'long',
      metadata: { title: 'long one', tags: ['a', 'b'] },
      entries: Array.from({ length: 500 }, (_, i) => ({
        id: `long-${seq + i}`,
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq + i)).toISOString(),
        kind: i % 2 ? 'tool.call' : 'message',
        payload: { n: seq + i, text: 'x'.repeat(i % 7) },
        refs: (i % 3 ? {} : { parent: `long-${seq + i - 1}` }) as Record<string, string>,
      })),
    });
  }
  await storage.appendEntries({ threadId: 'ünï "cödé" ✓', entries: [{ id: 'u1', payload: { emoji: '🧊', nested: { deep: [1, null, true] } } }] });
  await storage.appendEntries({ namespace: 'tenant-b', threadId: 'b1', metadata: { owner: 'b' }, entries: [{ id: 'b1-0' }, { id: 'b1-1' }] });
  await storage.putCheckpoint({ agentType: 'planner', agentId: 'p1', state: { step: 3 }, version: 2, thread: { id: 'long', rev: 2500 } });
  await storage.putCheckpoint({ agentType: 'planner', agentId: 'p2', state: { step: 1 }, thread: { id: 'long', rev: 10 } });
  await storage.putCheckpoint({ agentType: 'writer', agentId: 'w1', state: {} });
  await storage.putCheckpoint({ namespace: 'tenant-b', agentType: 'planner', agentId: 'p1', state: { mine: true }, thread: { id: 'b1', rev: 2 } });
  // API keys (hashes only): an active one with an expiry, a revoked one, one of another tenant.
  const hash = (id: string) => createHash('sha256').update(`cryo_${id}_secret`).digest('hex');
  const created = '2026-01-01T00:00:00.000Z';
  await storage.createApiKey({ id: '0123456789abcdef', namespace: 'default', label: 'ci', scopes: ['read', 'write'], hash: hash('0123456789abcdef'), createdAt: created, expiresAt: '2036-01-01T00:00:00.000Z', revokedAt: null });
  await storage.createApiKey({ id: '1123456789abcdef', namespace: 'default', label: null, scopes: ['admin'], hash: hash('1123456789abcdef'), createdAt: created, expiresAt: null, revokedAt: '2026-02-01T00:00:00.000Z' });
  await storage.createApiKey({ id: '2123456789abcdef', namespace: 'tenant-b', label: 'b', scopes: ['metrics'], hash: hash('2123456789abcdef'), createdAt: created, expiresAt: null, revokedAt: null });
}

/** Collects export lines in memory. */
export function lineCollector(): { lines: string[]; write: (line: string) => Promise<void> } {
  const lines: string[] = [];
  return { lines, write: async (line) => void lines.push(...line.split('\n')) };
}

/**
 * Threads that retention shaped (memory storage, or any adapter whose retention landed): trimmed
 * part-way, trimmed entirely, held back by a checkpoint beyond its maxEntries, and with an age
 * policy. A thread's policy is set last on import, so the export of an import is the same.
 */
export async function seedRetention(storage: Storage): Promise<void> {
  const at = (i: number) => new Date(Date.UTC(2026, 0, 2, 0, 0, 0, i)).toISOString();
  const entries = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, at: at(i), payload: { i } }));
  await storage.appendEntries({ threadId: 'trimmed', metadata: { t: 1 }, retention: { maxEntries: 100 }, entries: entries('tr', 10) });
  await storage.trimThread({ threadId: 'trimmed', beforeSeq: 4 });
  await storage.appendEntries({ threadId: 'all-gone', entries: entries('ag', 3) });
  await storage.trimThread({ threadId: 'all-gone', beforeSeq: 3 });
  await storage.appendEntries({ threadId: 'held', entries: entries('h', 4) });
  await storage.putCheckpoint({ agentType: 'holder', agentId: 'h1', state: { at: 3 }, thread: { id: 'held', rev: 3 } });
  await storage.setThreadRetention({ threadId: 'held', retention: { maxEntries: 2 } });
  await storage.appendEntries({ threadId: 'held', entries: entries('h2', 4) });
  await storage.appendEntries({ threadId: 'aged', retention: { maxAgeSeconds: 315_360_000 }, entries: entries('a', 5) });
  await storage.putCheckpoint({ agentType: 'holder', agentId: 'h2', state: {}, thread: { id: 'trimmed', rev: 10 } });
}
