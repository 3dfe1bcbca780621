import type { ApiKeyRecord } from '../domain/api-key.js';
import type { Checkpoint, Entry, ThreadHead } from '../domain/types.js';
import type { Storage } from '../storage/types.js';
import {
  type ApiKeyExportRecord,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type CheckpointRecord,
  type EndRecord,
  type EntryRecord,
  type HeaderRecord,
  type ThreadRecord,
} from './export-format.js';
import { listNamespaces } from './list-namespaces.js';

/** Where export lines go: resolves when the line may be followed by the next (backpressure). */
export type LineSink = (line: string) => Promise<void>;

/** Progress of a long operation, in entries. `total` is an estimate (heads listed before reading). */
export type ProgressListener = (done: number, total: number) => void;

/** Options of {@link exportStore}. */
export interface ExportOptions {
  /** Only these namespaces; null or empty: every namespace the storage lists. */
  namespaces: readonly string[] | null;
  /** Entries read per storage call. @default 1000 */
  pageSize?: number;
  onProgress?: ProgressListener;
  /** @default new Date() */
  now?: Date;
}

/** What an export wrote. */
export type ExportSummary = Omit<EndRecord, 'type'>;

const LIST_PAGE = 500;

/**
 * Writes a storage as NDJSON (format in src/ops/export-format.ts): a header, then per namespace
 * every thread (its record with rev, firstSeq and retention, then its stored entries in seq
 * order) and every checkpoint, then an end record. Streams: entries are read `pageSize` at a time and written before the next page is
 * read, so memory stays flat whatever the store's size. Consistent per thread: the thread's head
 * is read first and exactly its entries firstSeq..rev - 1 are written, even if appends land
 * meanwhile; a thread deleted before it is read is skipped; one deleted, re-created, or trimmed
 * past the next entry to write while it is read fails the export (run it again; better: export
 * while no server writes).
 * Does NOT give a point-in-time snapshot across threads, and does NOT export what the target
 * store assigns (thread lives and times, checkpoint revs and times).
 */
export async function exportStore(storage: Storage, write: LineSink, options: ExportOptions): Promise<ExportSummary> {
  const pageSize = options.pageSize ?? 1000;
  const namespaces = await listNamespaces(storage, options.namespaces);
  const header: HeaderRecord = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: (options.now ?? new Date()).toISOString(),
    source: storage.kind,
  };
  await write(JSON.stringify(header));
  let total = 0;
  for (const namespace of namespaces) {
    for await (const head of threadHeads(storage, namespace)) total += head.rev - head.firstSeq;
  }
  const summary: ExportSummary = { threads: 0, entries: 0, checkpoints: 0, apiKeys: 0 };
  for (const namespace of namespaces) {
    for await (const listed of threadHeads(storage, namespace)) {
      const written = await exportThread(storage, write, namespace, listed.id, pageSize, (n) => {
        summary.entries += n;
        options.onProgress?.(summary.entries, Math.max(total, summary.entries));
      });
      if (written) summary.threads++;
    }
    for await (const checkpoint of checkpoints(storage, namespace)) {
      await write(JSON.stringify(await checkpointRecord(storage, namespace, checkpoint)));
      summary.checkpoints++;
    }
    for await (const key of apiKeys(storage, namespace)) {
      const record: ApiKeyExportRecord = { type: 'apiKey', ...key };
      await write(JSON.stringify(record));
      summary.apiKeys!++;
    }
  }
  const end: EndRecord = { type: 'end', ...summary };
  await write(JSON.stringify(end));
  return summary;
}

/** Head reads before a thread whose start keeps being trimmed under the export is given up on. */
const MAX_HEAD_READS = 8;

/**
 * Writes one thread as of its head; false when it no longer exists. The head and the first page
 * are read before anything is written: when a trim (a maxEntries append, a sweep) moved firstSeq
 * in between, the head is read again, so a thread being written under a policy still exports.
 */
async function exportThread(
  storage: Storage,
  write: LineSink,
  namespace: string,
  threadId: string,
  pageSize: number,
  onEntries: (n: number) => void,
): Promise<boolean> {
  let head: ThreadHead | null = null;
  let page: Entry[] = [];
  for (let attempt = 1; ; attempt++) {
    head = await storage.getThread({ namespace, threadId });
    if (!head) return false;
    const first = Math.min(pageSize, head.rev - head.firstSeq);
    page = first > 0 ? await storage.readEntries({ namespace, threadId, fromSeq: head.firstSeq, limit: first }) : [];
    if (first === 0 || page[0]?.seq === head.firstSeq) break;
    if (attempt >= MAX_HEAD_READS) throw changed(namespace, threadId, head.firstSeq, 'trimmed');
  }
  const record: ThreadRecord = {
    type: 'thread',
    namespace,
    id: head.id,
    rev: head.rev,
    firstSeq: head.firstSeq,
    retention: head.retention,
    metadata: head.metadata,
  };
  await write(JSON.stringify(record));
  // Streamed: should the thread change underneath (deleted and re-created, or trimmed past the
  // next seq to write), fail rather than write a mix or a gap.
  for (let seq = head.firstSeq; seq < head.rev; ) {
    const entries =
      seq === head.firstSeq ? page : await storage.readEntries({ namespace, threadId, fromSeq: seq, limit: Math.min(pageSize, head.rev - seq) });
    if (entries.length === 0 || entries[0]!.seq !== seq) {
      const now = await storage.getThread({ namespace, threadId });
      throw changed(namespace, threadId, seq, !now ? 'deleted' : now.life !== head.life ? 'life' : 'trimmed');
    }
    const lines = entries.map((e) => {
      const entry: EntryRecord = { type: 'entry', seq: e.seq, id: e.id, at: e.at, kind: e.kind, payload: e.payload, refs: e.refs };
      return JSON.stringify(entry);
    });
    await write(lines.join('\n'));
    seq += entries.length;
    onEntries(entries.length);
  }
  const after = await storage.getThread({ namespace, threadId });
  if (after && after.life !== head.life) {
    throw new Error(`thread ${JSON.stringify(threadId)} was deleted and re-created while it was exported; run the export again`);
  }
  return true;
}

function changed(namespace: string, threadId: string, seq: number, how: 'deleted' | 'life' | 'trimmed'): Error {
  const what = how === 'deleted' ? 'it was deleted' : how === 'life' ? 'its life changed' : 'it was trimmed past it';
  return new Error(
    `thread ${JSON.stringify(threadId)} in namespace ${JSON.stringify(namespace)} changed while it was exported ` +
      `(${what} at seq ${seq}); run the export again (best while no server writes)`,
  );
}

async function checkpointRecord(storage: Storage, namespace: string, checkpoint: Checkpoint): Promise<CheckpointRecord> {
  let thread: CheckpointRecord['thread'] = null;
  if (checkpoint.thread) {
    const head = await storage.getThread({ namespace, threadId: checkpoint.thread.id });
    const current =
      head !== null &&
      head.rev >= checkpoint.thread.rev &&
      head.firstSeq <= checkpoint.thread.rev &&
      (checkpoint.thread.life === undefined || checkpoint.thread.life === head.life);
    thread = { id: checkpoint.thread.id, rev: checkpoint.thread.rev, life: current ? 'current' : 'dangling' };
  }
  return {
    type: 'checkpoint',
    namespace,
    agentType: checkpoint.agentType,
    agentId: checkpoint.agentId,
    version: checkpoint.version,
    state: checkpoint.state,
    thread,
  };
}

/** Every thread head of a namespace, page by page, in id order. */
export async function* threadHeads(storage: Storage, namespace: string): AsyncGenerator<ThreadHead> {
  for (let after: string | null = null; ; ) {
    const page = await storage.listThreads({ namespace, first: LIST_PAGE, after });
    yield* page.items;
    if (!page.hasMore || page.items.length === 0) return;
    after = page.items[page.items.length - 1]!.id;
  }
}

/** Every checkpoint of a namespace, page by page, in (agentType, agentId) order. */
export async function* checkpoints(storage: Storage, namespace: string): AsyncGenerator<Checkpoint> {
  for (let after: { agentType: string; agentId: string } | null = null; ; ) {
    const page = await storage.listCheckpoints({ namespace, first: LIST_PAGE, after });
    yield* page.items;
    if (!page.hasMore || page.items.length === 0) return;
    const last = page.items[page.items.length - 1]!;
    after = { agentType: last.agentType, agentId: last.agentId };
  }
}

/** Every API key of a namespace (revoked and expired ones too), page by page, in id order. */
export async function* apiKeys(storage: Storage, namespace: string): AsyncGenerator<ApiKeyRecord> {
  let after: string | null = null;
  for (;;) {
    const page = await storage.listApiKeys({ namespace, first: LIST_PAGE, after });
    yield* page.items;
    if (!page.hasMore || page.items.length === 0) return;
    after = page.items[page.items.length - 1]!.id;
  }
}
