import { lowestPointer, StorageCorrupted, type ApiKeyRecord, type Checkpoint, type Entry, type PointerHolder, type ThreadHead } from 'cryo/storage';

/**
 * What the log holds: one record per committed write, each carrying the result of the write (the
 * new head, the stored checkpoint…), never the request. Replaying the records in order with
 * {@link StoreState.apply} rebuilds exactly the state the writes left.
 */
export type LogRecord =
  /** An append (creating the thread when it did not exist): the head after it and the new entries. */
  | { op: 'append'; ns: string; head: ThreadHead; entries: Entry[] }
  /** A new head without new entries (a trim, a retention change): entries below head.firstSeq are gone. */
  | { op: 'head'; ns: string; head: ThreadHead }
  | { op: 'delete-thread'; ns: string; threadId: string }
  | { op: 'checkpoint'; ns: string; checkpoint: Checkpoint }
  | { op: 'delete-checkpoint'; ns: string; agentType: string; agentId: string }
  /** An API key as stored after a create or a revoke. */
  | { op: 'api-key'; record: ApiKeyRecord };

/** One thread: its head and the entries it still holds (seqs head.firstSeq … head.rev - 1). */
export interface ThreadRecord {
  head: ThreadHead;
  entries: Entry[];
}

/** A checkpoint's pointer as the reverse index keeps it. */
interface Pointer extends PointerHolder {
  life: string | undefined;
}

interface Namespace {
  threads: Map<string, ThreadRecord>;
  checkpoints: Map<string, Checkpoint>;
  /** Reverse index thread id → checkpoint key → pointer, so a trim finds its bound without a scan. */
  pointers: Map<string, Map<string, Pointer>>;
}

export const checkpointKey = (agentType: string, agentId: string): string => JSON.stringify([agentType, agentId]);

/**
 * The whole store in memory, built from the log. The Storage methods read it directly and change
 * it only through {@link apply}, after the record is on disk. Objects handed in are kept as they
 * are (the caller passes parsed copies), objects read out must be copied by the caller.
 */
export class StoreState {
  readonly namespaces = new Map<string, Namespace>();
  readonly apiKeys = new Map<string, ApiKeyRecord>();

  thread(ns: string, threadId: string): ThreadRecord | undefined {
    return this.namespaces.get(ns)?.threads.get(threadId);
  }

  checkpoint(ns: string, agentType: string, agentId: string): Checkpoint | undefined {
    return this.namespaces.get(ns)?.checkpoints.get(checkpointKey(agentType, agentId));
  }

  /** The lowest pointer of a checkpoint naming this life of the thread (older lives hold nothing back). */
  lowestPointer(ns: string, head: ThreadHead): PointerHolder | null {
    const holders = this.namespaces.get(ns)?.pointers.get(head.id);
    if (!holders) return null;
    return lowestPointer([...holders.values()].filter((p) => p.life === undefined || p.life === head.life));
  }

  /** Applies one record (a write just made durable, or one replayed at open). */
  apply(record: LogRecord): void {
    switch (record.op) {
      case 'append': {
        const data = this.#namespace(record.ns);
        const thread = data.threads.get(record.head.id) ?? { head: record.head, entries: [] };
        thread.head = record.head;
        thread.entries.push(...record.entries);
        dropBelow(thread, record.head.firstSeq);
        data.threads.set(record.head.id, thread);
        return;
      }
      case 'head': {
        const thread = this.thread(record.ns, record.head.id);
        if (!thread) throw new StorageCorrupted(`log names thread ${JSON.stringify(record.head.id)} before it exists`);
        thread.head = record.head;
        dropBelow(thread, record.head.firstSeq);
        return;
      }
      case 'delete-thread':
        this.namespaces.get(record.ns)?.threads.delete(record.threadId);
        return;
      case 'checkpoint': {
        const data = this.#namespace(record.ns);
        const key = checkpointKey(record.checkpoint.agentType, record.checkpoint.agentId);
        unindex(data, key, data.checkpoints.get(key));
        data.checkpoints.set(key, record.checkpoint);
        index(data, key, record.checkpoint);
        return;
      }
      case 'delete-checkpoint': {
        const data = this.namespaces.get(record.ns);
        const key = checkpointKey(record.agentType, record.agentId);
        unindex(data, key, data?.checkpoints.get(key));
        data?.checkpoints.delete(key);
        return;
      }
      case 'api-key':
        this.apiKeys.set(record.record.id, record.record);
        return;
      default:
        throw new StorageCorrupted(`unknown log record ${JSON.stringify((record as { op?: unknown }).op)}`);
    }
  }

  /** The fewest records that rebuild this state (what compaction writes). */
  snapshot(): LogRecord[] {
    const records: LogRecord[] = [];
    for (const [ns, data] of this.namespaces) {
      for (const thread of data.threads.values()) records.push({ op: 'append', ns, head: thread.head, entries: thread.entries });
      for (const checkpoint of data.checkpoints.values()) records.push({ op: 'checkpoint', ns, checkpoint });
    }
    for (const record of this.apiKeys.values()) records.push({ op: 'api-key', record });
    return records;
  }

  #namespace(ns: string): Namespace {
    let data = this.namespaces.get(ns);
    if (!data) this.namespaces.set(ns, (data = { threads: new Map(), checkpoints: new Map(), pointers: new Map() }));
    return data;
  }
}

function dropBelow(thread: ThreadRecord, firstSeq: number): void {
  const first = thread.entries[0];
  if (first && first.seq < firstSeq) thread.entries.splice(0, Math.min(thread.entries.length, firstSeq - first.seq));
}

function index(data: Namespace, key: string, checkpoint: Checkpoint): void {
  if (!checkpoint.thread) return;
  let holders = data.pointers.get(checkpoint.thread.id);
  if (!holders) data.pointers.set(checkpoint.thread.id, (holders = new Map()));
  const { agentType, agentId } = checkpoint;
  holders.set(key, { agentType, agentId, rev: checkpoint.thread.rev, life: checkpoint.thread.life });
}

function unindex(data: Namespace | undefined, key: string, checkpoint: Checkpoint | undefined): void {
  if (!data || !checkpoint?.thread) return;
  const holders = data.pointers.get(checkpoint.thread.id);
  holders?.delete(key);
  if (holders?.size === 0) data.pointers.delete(checkpoint.thread.id);
}
