import { ValidationError } from '../domain/errors.js';
import type { Checkpoint } from '../domain/types.js';
import type { Storage } from './types.js';

/** A storage that can name its namespaces (the file and sqlite adapters). */
export interface NamespacedStorage extends Storage {
  namespaces(): Promise<string[]>;
}

/** What a migration did. */
export interface MigrationReport {
  namespaces: number;
  threads: number;
  /** Entries written to the target (0 on a re-run: those already there are recognised and skipped). */
  entriesCopied: number;
  /** Entries found already in the target. */
  entriesPresent: number;
  checkpointsCopied: number;
  checkpointsPresent: number;
  /** Checkpoints the target holds with other content: left alone, named here. */
  checkpointConflicts: string[];
}

const CHUNK = 1000;
const PAGE = 500;

/**
 * Copies every thread (entries with their ids, times, kinds, payloads and refs, in seq order;
 * metadata) and then every checkpoint (state, version, pointer) of `from` into `to`, namespace by
 * namespace. Idempotent: entries are appended in fixed 1,000-entry chunks with
 * `expectedRev` = the chunk's first seq and their own ids, so a re-run recognises what is already
 * there as a replay and writes nothing twice; a checkpoint equal to the source's is skipped. Does
 * NOT preserve thread createdAt/updatedAt or checkpoint revs/times (the target assigns them:
 * checkpoint revs restart at 1), does NOT overwrite a checkpoint the target holds with other
 * content (it is listed in `checkpointConflicts`), and must not run while a server writes to
 * either store (both adapters refuse a second process anyway).
 */
export async function migrateStorage(
  from: NamespacedStorage,
  to: Storage,
  log: (line: string) => void = () => {},
): Promise<MigrationReport> {
  const report: MigrationReport = {
    namespaces: 0,
    threads: 0,
    entriesCopied: 0,
    entriesPresent: 0,
    checkpointsCopied: 0,
    checkpointsPresent: 0,
    checkpointConflicts: [],
  };
  const namespaces = (await from.namespaces()).sort();
  for (const namespace of namespaces) {
    report.namespaces++;
    for (let after: string | null = null; ; ) {
      const page = await from.listThreads({ namespace, first: PAGE, after });
      for (const head of page.items) {
        await copyThread(from, to, namespace, head.id, head.metadata, report);
        report.threads++;
      }
      if (!page.hasMore || page.items.length === 0) break;
      after = page.items[page.items.length - 1]!.id;
    }
    for (let after: { agentType: string; agentId: string } | null = null; ; ) {
      const page = await from.listCheckpoints({ namespace, first: PAGE, after });
      for (const checkpoint of page.items) await copyCheckpoint(to, namespace, checkpoint, report);
      if (!page.hasMore || page.items.length === 0) break;
      const last = page.items[page.items.length - 1]!;
      after = { agentType: last.agentType, agentId: last.agentId };
    }
    log(`namespace ${JSON.stringify(namespace)}: done (${report.threads} threads so far)`);
  }
  return report;
}

async function copyThread(
  from: Storage,
  to: Storage,
  namespace: string,
  threadId: string,
  metadata: Checkpoint['state'],
  report: MigrationReport,
): Promise<void> {
  for (let seq = 0; ; seq += CHUNK) {
    const entries = await from.readEntries({ namespace, threadId, fromSeq: seq, limit: CHUNK });
    if (entries.length === 0) return;
    const result = await to.appendEntries({
      namespace,
      threadId,
      metadata,
      expectedRev: seq,
      entries: entries.map((e) => ({ id: e.id, at: e.at, kind: e.kind, payload: e.payload, refs: e.refs })),
    });
    if (result.replayed) report.entriesPresent += entries.length;
    else report.entriesCopied += entries.length;
    if (entries.length < CHUNK) return;
  }
}

async function copyCheckpoint(to: Storage, namespace: string, checkpoint: Checkpoint, report: MigrationReport): Promise<void> {
  const key = { namespace, agentType: checkpoint.agentType, agentId: checkpoint.agentId };
  const existing = await to.getCheckpoint(key);
  const thread = checkpoint.thread ? { id: checkpoint.thread.id, rev: checkpoint.thread.rev } : null;
  if (existing) {
    const same =
      existing.version === checkpoint.version &&
      JSON.stringify(existing.state) === JSON.stringify(checkpoint.state) &&
      existing.thread?.id === thread?.id &&
      existing.thread?.rev === thread?.rev;
    if (same) report.checkpointsPresent++;
    else report.checkpointConflicts.push(`${namespace}/${checkpoint.agentType}/${checkpoint.agentId}`);
    return;
  }
  await to.putCheckpoint({ ...key, state: checkpoint.state, version: checkpoint.version, thread, expectedRev: 0 });
  report.checkpointsCopied++;
}

/** Checks that a storage can list its namespaces (the file and sqlite adapters can). */
export function requireNamespaces(storage: Storage, url: string): NamespacedStorage {
  if (typeof (storage as Partial<NamespacedStorage>).namespaces !== 'function') {
    throw new ValidationError(`cannot migrate from ${url}: this adapter cannot list its namespaces (use a file: or sqlite: store)`, 'from');
  }
  return storage as NamespacedStorage;
}
