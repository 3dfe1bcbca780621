import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { MissingThread, TrimBeyondCheckpoint } from '../../src/domain/errors.js';
import { hibernate, thaw } from '../../src/persist.js';
import { checkpointPath, DURABILITY_MODES, freshStore, journalPath } from './file-helpers.js';
import { encodeRecord, RecordType } from '../../src/storage/file/record-codec.js';
import { rejection } from 'cryo/storage/conformance';

const ns = 'default';
const createdAt = '2026-01-02T03:04:05.678Z';
const key = { namespace: ns, agentType: 'planner', agentId: 'a1' };

/** Writes a thread of two entries and a checkpoint pointing at it, as the adapter wrote them before thread lives. */
async function writeLegacyStore(dir: string, threadId: string): Promise<void> {
  const header = { v: 1, ns, id: threadId, metadata: { m: 1 }, createdAt };
  const entry = (s: number, last: boolean) => ({ s, id: `e${s}`, at: createdAt, kind: 'note', payload: {}, refs: {}, ...(last ? { t: createdAt } : {}) });
  await writeFile(
    journalPath(dir, ns, threadId),
    Buffer.concat([
      encodeRecord(RecordType.ThreadHeader, 0, header),
      encodeRecord(RecordType.Entry, 1, entry(0, false)),
      encodeRecord(RecordType.Entry, 0, entry(1, true)),
    ]),
  );
  const checkpoint = { ...key, rev: 1, version: 1, state: { s: 1 }, thread: { id: threadId, rev: 2 }, createdAt, updatedAt: createdAt };
  await writeFile(
    checkpointPath(dir, ns, key.agentType, key.agentId),
    Buffer.concat([
      encodeRecord(RecordType.CheckpointKey, 1, { v: 1, ns, agentType: key.agentType, agentId: key.agentId, rev: 1, createdAt }),
      encodeRecord(RecordType.CheckpointBody, 0, checkpoint),
    ]),
  );
}

describe.each(DURABILITY_MODES)('file storage (%s) opens data written before thread lives', (durability) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('gives an old thread the same derived life on every open; an old pointer matches any life', async () => {
    const store = await freshStore(cleanups, { durability });
    await (await store.open()).close();
    await writeLegacyStore(store.dir, 't1');
    const first = await store.open();
    const life = (await first.getThread({ threadId: 't1' }))?.life;
    expect(life).toBe(`legacy-${createdAt}`);
    expect((await thaw(first, key)).checkpoint.thread).toEqual({ id: 't1', rev: 2 });
    await first.deleteThread({ threadId: 't1' });
    await first.appendEntries({ threadId: 't1', entries: [{}, {}] });
    // Stored without a life, the old pointer cannot tell the new life from the old one.
    expect((await thaw(first, key)).thread?.life).not.toBe(life);
    await first.close();
  });

  it('a new pointer at an old thread keeps matching it across reopen, and not its next life', async () => {
    const store = await freshStore(cleanups, { durability });
    await (await store.open()).close();
    await writeLegacyStore(store.dir, 't2');
    const first = await store.open();
    const { checkpoint } = await hibernate(first, { ...key, state: { s: 2 }, thread: { id: 't2', rev: 2, entries: [] }, expectedRev: 1 });
    expect(checkpoint.thread).toEqual({ id: 't2', rev: 2, life: `legacy-${createdAt}` });
    await first.close();
    const second = await store.open();
    expect((await thaw(second, key)).thread).toMatchObject({ id: 't2', rev: 2, life: `legacy-${createdAt}` });
    await second.deleteThread({ threadId: 't2' });
    await second.appendEntries({ threadId: 't2', entries: [{}, {}] });
    await rejection(thaw(second, key), MissingThread, { threadId: 't2', pointerRev: 2 });
  });

  it('an old store gets retention: its checkpoint (no pointer in the key record) bounds trims; trims and compaction of an old journal survive reopen', async () => {
    const store = await freshStore(cleanups, { durability });
    await (await store.open()).close();
    await writeLegacyStore(store.dir, 't3');
    const first = await store.open({ compactMinBytes: 1 });
    expect(first.recovery.corrupted).toEqual([]);
    expect(await first.getThread({ threadId: 't3' })).toMatchObject({ rev: 2, firstSeq: 0, retention: null });
    await first.putCheckpoint({ agentType: 'other', agentId: 'x', state: {} });
    await first.appendEntries({ threadId: 't3', entries: [{ id: 'e2' }], expectedRev: 2 });
    await first.close();
    const second = await store.open({ compactMinBytes: 1 });
    await rejection(second.trimThread({ threadId: 't3', beforeSeq: 3 }), TrimBeyondCheckpoint, { agentId: 'a1', pointerRev: 2 });
    expect((await second.trimThread({ threadId: 't3', beforeSeq: 2 })).dropped).toBe(2);
    await second.compactions();
    expect(second.stats().compactions).toBe(1);
    await second.close();
    const third = await store.open();
    expect(await third.getThread({ threadId: 't3' })).toMatchObject({ rev: 3, firstSeq: 2, life: `legacy-${createdAt}` });
    expect((await third.readEntries({ threadId: 't3', fromSeq: 0, limit: 10 })).map((e) => e.id)).toEqual(['e2']);
    expect((await third.getCheckpoint(key))?.thread).toEqual({ id: 't3', rev: 2 });
  });
});
