import { CryoError, RevisionConflict } from '../domain/errors.js';
import { jsonEqual } from '../domain/json.js';
import type { EntryInput, RetentionPolicy } from '../domain/types.js';
import type { Storage } from '../storage/types.js';
import type { ApiKeyExportRecord, CheckpointRecord, EntryRecord, ThreadRecord } from './export-format.js';
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
  /**
   * Entries the target thread had already trimmed (a re-run after the thread's policy was set and
   * applied): not written again, and not comparable either.
   */
  entriesTrimmed: number;
  checkpointsWritten: number;
  checkpointsPresent: number;
  /** API keys created (same id, hash and scopes: the exported tokens work against the target). */
  apiKeysWritten: number;
  /** API keys the target already held (same id and hash); a revocation in the export is applied to them. */
  apiKeysPresent: number;
  /** Things the target holds with other content (left as they are): `namespace/kind/id: why`. */
  conflicts: string[];
  /** Checkpoints whose pointer was dangling in the export: the Storage contract cannot store them. */
  dangling: string[];
}

/** Id of the entry that creates an imported thread whose every entry was trimmed; trimmed away at once. */
export const PLACEHOLDER_ENTRY_ID = 'cryo-import-placeholder';

/** The thread being imported: its record, the target's head when the record was reached, and whether it is left alone. */
interface ThreadInProgress {
  record: ThreadRecord;
  /** The target thread's rev and firstSeq when the record was reached (null: it did not exist). */
  target: { rev: number; firstSeq: number } | null;
  skip: boolean;
}

const threadKey = (record: ThreadRecord) => JSON.stringify([record.namespace, record.id]);

/**
 * Imports an export file (see readExport) into a storage. First reads the whole file to check
 * it (a damaged line, a cut-off file or a format version this build does not read is refused
 * with its line number and NOTHING is written), then applies it. Idempotent: entries are
 * appended in chunks with `expectedRev` = the chunk's first seq and their own ids, split where
 * the target thread already ends, so a re-run after an interruption recognises what is there
 * (the adapter's replay rule) and writes the rest: no duplicates, no gaps. A trimmed thread is
 * recreated with its seqs (`startSeq` = its firstSeq); one whose entries were all trimmed is
 * created with a placeholder entry trimmed at once. Threads are created WITHOUT a policy and
 * each thread's exported retention is set only at the end, once the checkpoints pointing at it
 * are in place, so a policy never trims what an imported checkpoint needs (setting it applies
 * it: entries the policy had not yet dropped in the source, e.g. older than maxAgeSeconds by
 * now, are dropped then, as far as the checkpoints allow). A checkpoint equal to the exported
 * one is skipped; one the target holds with other content is not overwritten but listed in
 * `conflicts`, as is a thread the target holds with other entries or metadata. Does NOT
 * recreate what the target assigns (thread lives and times, checkpoint revs and times) and must
 * not run while a server writes the same threads.
 */
export async function importStore(storage: Storage, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const chunkSize = options.chunkSize ?? 1000;
  let total = 0;
  for await (const { record } of readExport(path)) if (record.type === 'entry') total++;

  const summary: ImportSummary = {
    threads: 0,
    entriesWritten: 0,
    entriesPresent: 0,
    entriesTrimmed: 0,
    checkpointsWritten: 0,
    checkpointsPresent: 0,
    apiKeysWritten: 0,
    apiKeysPresent: 0,
    conflicts: [],
    dangling: [],
  };
  /** Threads left alone (conflicts), so their policy is not set either. */
  const skipped = new Set<string>();
  let thread: ThreadInProgress | null = null;
  let chunk: EntryRecord[] = [];
  const progress = () => options.onProgress?.(summary.entriesWritten + summary.entriesPresent + summary.entriesTrimmed, total);
  const conflict = (current: ThreadInProgress, why: string) => {
    summary.conflicts.push(`${current.record.namespace}/thread/${current.record.id}: ${why}`);
    current.skip = true;
    skipped.add(threadKey(current.record));
  };
  const append = async (current: ThreadInProgress, entries: EntryInput[], expectedRev: number, startSeq = current.record.firstSeq) =>
    storage.appendEntries({
      namespace: current.record.namespace,
      threadId: current.record.id,
      metadata: current.record.metadata,
      // No policy while importing (see above); the exported one is set at the end.
      retention: {},
      startSeq,
      expectedRev,
      entries,
    });
  const flush = async (): Promise<void> => {
    if (!thread || chunk.length === 0) return;
    const entries = chunk;
    chunk = [];
    try {
      const result = await append(
        thread,
        entries.map((e) => ({ id: e.id, at: e.at, kind: e.kind, payload: e.payload, refs: e.refs })),
        entries[0]!.seq,
      );
      if (result.replayed) summary.entriesPresent += entries.length;
      else summary.entriesWritten += entries.length;
    } catch (error) {
      if (!(error instanceof RevisionConflict)) throw error;
      conflict(thread, `the target holds other entries at seq ${entries[0]!.seq}`);
    }
    progress();
  };
  const endThread = async (): Promise<void> => {
    await flush();
    const current = thread;
    thread = null;
    if (!current || current.skip) return;
    const { record } = current;
    const key = { namespace: record.namespace, threadId: record.id };
    let head = await storage.getThread(key);
    if (!head && record.rev > 0 && record.firstSeq === record.rev) {
      // Every entry was trimmed: create the thread with a placeholder, then trim it away below.
      try {
        await append(current, [{ id: PLACEHOLDER_ENTRY_ID, kind: 'cryo.import' }], record.rev - 1, record.rev - 1);
      } catch (error) {
        if (!(error instanceof RevisionConflict)) throw error;
      }
      head = await storage.getThread(key);
    }
    if (!head) return;
    if (head.rev > record.rev) return conflict(current, `the target holds ${head.rev} entries, the export ${record.rev}`);
    if (!jsonEqual(head.metadata, record.metadata)) return conflict(current, "the target's metadata differs");
    if (head.rev === record.rev && head.firstSeq < record.firstSeq) {
      try {
        await storage.trimThread({ ...key, beforeSeq: record.firstSeq, expectedRev: record.rev });
      } catch (error) {
        if (!(error instanceof CryoError) || error.code.startsWith('STORAGE_')) throw error;
        conflict(current, `cannot trim it to firstSeq ${record.firstSeq}: ${error.message}`);
      }
    }
  };

  for await (const { record } of readExport(path)) {
    switch (record.type) {
      case 'thread': {
        await endThread();
        const head = await storage.getThread({ namespace: record.namespace, threadId: record.id });
        thread = { record, target: head && { rev: head.rev, firstSeq: head.firstSeq }, skip: false };
        summary.threads++;
        break;
      }
      case 'entry': {
        if (!thread || thread.skip) break;
        const { target } = thread;
        if (target && record.seq < target.firstSeq && record.seq < target.rev) {
          // Trimmed in the target since a previous run wrote it (its policy was applied).
          summary.entriesTrimmed++;
          break;
        }
        chunk.push(record);
        // Chunks end where the target's thread ends, so the part already there replays as a whole.
        if (chunk.length >= chunkSize || record.seq + 1 === target?.rev) await flush();
        break;
      }
      case 'checkpoint':
        await endThread();
        await importCheckpoint(storage, record, summary);
        break;
      case 'apiKey':
        await endThread();
        await importApiKey(storage, record, summary);
        break;
      case 'end':
        await endThread();
        break;
    }
  }
  await applyRetention(storage, path, skipped, summary);
  return summary;
}

/**
 * Sets every imported thread's exported policy (a last pass over the file, so memory stays flat),
 * now that the checkpoints pointing at it are stored. A thread already holding that policy is
 * left alone; a conflicting thread is never touched.
 */
async function applyRetention(storage: Storage, path: string, skipped: ReadonlySet<string>, summary: ImportSummary): Promise<void> {
  for await (const { record } of readExport(path)) {
    if (record.type !== 'thread' || skipped.has(threadKey(record))) continue;
    const key = { namespace: record.namespace, threadId: record.id };
    const head = await storage.getThread(key);
    if (!head || sameRetention(head.retention, record.retention)) continue;
    try {
      await storage.setThreadRetention({ ...key, retention: record.retention });
    } catch (error) {
      if (!(error instanceof CryoError) || error.code.startsWith('STORAGE_')) throw error;
      summary.conflicts.push(`${record.namespace}/thread/${record.id}: cannot set its retention: ${error.message}`);
    }
  }
}

function sameRetention(a: RetentionPolicy | null, b: RetentionPolicy | null): boolean {
  return (a?.maxEntries ?? null) === (b?.maxEntries ?? null) && (a?.maxAgeSeconds ?? null) === (b?.maxAgeSeconds ?? null);
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

/**
 * Creates an exported API key as it was (hash, scopes, times, revocation). A key the target holds
 * with the same id and hash is left as is, except that a revocation in the export is applied; a
 * key id the target holds with another hash or namespace is a conflict, never overwritten.
 */
async function importApiKey(storage: Storage, record: ApiKeyExportRecord, summary: ImportSummary): Promise<void> {
  const name = `${record.namespace}/apiKey/${record.id}`;
  const { type: _type, ...key } = record;
  const existing = await storage.getApiKey(record.id);
  if (existing) {
    if (existing.namespace !== record.namespace || existing.hash !== record.hash) {
      summary.conflicts.push(`${name}: the target holds another key with this id`);
      return;
    }
    if (record.revokedAt !== null && existing.revokedAt === null) {
      await storage.revokeApiKey({ namespace: record.namespace, id: record.id });
    }
    summary.apiKeysPresent++;
    return;
  }
  try {
    await storage.createApiKey(key);
    summary.apiKeysWritten++;
  } catch (error) {
    if (!(error instanceof CryoError) || error.code.startsWith('STORAGE_')) throw error;
    summary.conflicts.push(`${name}: ${error.message}`);
  }
}
