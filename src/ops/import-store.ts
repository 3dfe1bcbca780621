import { CryoError, RevisionConflict } from '../domain/errors.js';
import { jsonEqual } from '../domain/json.js';
import type { Storage } from '../storage/types.js';
import type { CheckpointRecord, EntryRecord, ThreadRecord } from './export-format.js';
import type { ProgressListener } from './export-store.js';
import { readExport } from './read-export.js';

/** Options of {@link importStore}. */
export interface ImportOptions {
  /** Entries per append (at most the target's maxEntriesPerAppend). @default 1000 */
  chunkSize?: number;
  onProgress?: ProgressListener;
}

/** What an import did. `conflicts` and `dangling` list what it left alone (exit code 1). */
export interface ImportSummary {
  threads: number;
  entriesWritten: number;
  /** Entries the target already held (a re-run): recognised by their ids and skipped. */
  entriesPresent: number;
  checkpointsWritten: number;
  checkpointsPresent: number;
  /** Things the target holds with other content (left as they are): `namespace/kind/id: why`. */
  conflicts: string[];
  /** Checkpoints whose pointer was dangling in the export: the Storage contract cannot store them. */
  dangling: string[];
}

/**
 * Imports an export file (see readExport) into a storage. First reads the whole file to check
 * it (a damaged line, a cut-off file or another format version is refused with its line number
 * and NOTHING is written), then applies it. Idempotent: entries are appended in chunks with
 * `expectedRev` = the chunk's first seq and their own ids, split where the target thread already
 * ends, so a re-run after an interruption recognises what is there (the adapter's replay rule)
 * and writes the rest: no duplicates, no gaps. A checkpoint equal to the exported one is
 * skipped; one the target holds with other content is not overwritten but listed in
 * `conflicts`, as is a thread the target holds with other entries or metadata. Does NOT recreate
 * what the target assigns (thread lives and times, checkpoint revs and times) and must not run
 * while a server writes the same threads.
 */
export async function importStore(storage: Storage, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const chunkSize = options.chunkSize ?? 1000;
  let total = 0;
  for await (const { record } of readExport(path)) if (record.type === 'entry') total++;

  const summary: ImportSummary = {
    threads: 0,
    entriesWritten: 0,
    entriesPresent: 0,
    checkpointsWritten: 0,
    checkpointsPresent: 0,
    conflicts: [],
    dangling: [],
  };
  let thread: { record: ThreadRecord; targetRev: number; skip: boolean } | null = null;
  let chunk: EntryRecord[] = [];
  const flush = async (): Promise<void> => {
    if (!thread || chunk.length === 0) return;
    const entries = chunk;
    chunk = [];
    const { record } = thread;
    try {
      const result = await storage.appendEntries({
        namespace: record.namespace,
        threadId: record.id,
        metadata: record.metadata,
        expectedRev: entries[0]!.seq,
        entries: entries.map((e) => ({ id: e.id, at: e.at, kind: e.kind, payload: e.payload, refs: e.refs })),
      });
      if (result.replayed) summary.entriesPresent += entries.length;
      else summary.entriesWritten += entries.length;
    } catch (error) {
      if (!(error instanceof RevisionConflict)) throw error;
      summary.conflicts.push(`${record.namespace}/thread/${record.id}: the target holds other entries at seq ${entries[0]!.seq}`);
      thread.skip = true;
    }
    options.onProgress?.(summary.entriesWritten + summary.entriesPresent, total);
  };
  const endThread = async (): Promise<void> => {
    await flush();
    if (!thread) return;
    const { record, skip } = thread;
    thread = null;
    if (skip) return;
    const head = await storage.getThread({ namespace: record.namespace, threadId: record.id });
    if (head && head.rev > record.rev) summary.conflicts.push(`${record.namespace}/thread/${record.id}: the target holds ${head.rev} entries, the export ${record.rev}`);
    else if (head && !jsonEqual(head.metadata, record.metadata)) summary.conflicts.push(`${record.namespace}/thread/${record.id}: the target's metadata differs`);
  };

  for await (const { record } of readExport(path)) {
    switch (record.type) {
      case 'thread': {
        await endThread();
        const head = await storage.getThread({ namespace: record.namespace, threadId: record.id });
        thread = { record, targetRev: head?.rev ?? 0, skip: false };
        summary.threads++;
        break;
      }
      case 'entry':
        if (!thread || thread.skip) break;
        chunk.push(record);
        // Chunks end where the target's thread ends, so the part already there replays as a whole.
        if (chunk.length >= chunkSize || record.seq + 1 === thread.targetRev) await flush();
        break;
      case 'checkpoint':
        await endThread();
        await importCheckpoint(storage, record, summary);
        break;
      case 'end':
        await endThread();
        break;
    }
  }
  return summary;
}

async function importCheckpoint(storage: Storage, record: CheckpointRecord, summary: ImportSummary): Promise<void> {
  const key = { namespace: record.namespace, agentType: record.agentType, agentId: record.agentId };
  const name = `${record.namespace}/checkpoint/${record.agentType}/${record.agentId}`;
  if (record.thread?.life === 'dangling') {
    summary.dangling.push(`${name}: its pointer to thread ${JSON.stringify(record.thread.id)} at rev ${record.thread.rev} was dangling`);
    return;
  }
  const pointer = record.thread ? { id: record.thread.id, rev: record.thread.rev } : null;
  const existing = await storage.getCheckpoint(key);
  if (existing) {
    const same =
      existing.version === record.version &&
      jsonEqual(existing.state, record.state) &&
      existing.thread?.id === pointer?.id &&
      existing.thread?.rev === pointer?.rev;
    if (same) summary.checkpointsPresent++;
    else summary.conflicts.push(`${name}: the target holds another checkpoint (rev ${existing.rev})`);
    return;
  }
  try {
    await storage.putCheckpoint({ ...key, state: record.state, version: record.version, thread: pointer, expectedRev: 0 });
    summary.checkpointsWritten++;
  } catch (error) {
    if (!(error instanceof CryoError) || error.code.startsWith('STORAGE_')) throw error;
    summary.conflicts.push(`${name}: ${error.message}`);
  }
}
