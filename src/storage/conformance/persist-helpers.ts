import type { Entry, EntryInput, ThreadPointer } from '../../domain/types.js';
import type { Storage } from '../types.js';

/** A Storage that runs `hook` before delegating the first `appendEntries` (to stage races). */
export function beforeFirstAppend(storage: Storage, hook: () => Promise<void>): Storage {
  let fired = false;
  return {
    kind: storage.kind,
    changes: storage.changes,
    getCheckpoint: (o) => storage.getCheckpoint(o),
    putCheckpoint: (o) => storage.putCheckpoint(o),
    deleteCheckpoint: (o) => storage.deleteCheckpoint(o),
    listCheckpoints: (o) => storage.listCheckpoints(o),
    createApiKey: (r) => storage.createApiKey(r),
    getApiKey: (id) => storage.getApiKey(id),
    listApiKeys: (o) => storage.listApiKeys(o),
    revokeApiKey: (o) => storage.revokeApiKey(o),
    appendEntries: async (o) => {
      if (!fired) {
        fired = true;
        await hook();
      }
      return storage.appendEntries(o);
    },
    readEntries: (o) => storage.readEntries(o),
    readTail: (o) => storage.readTail(o),
    getThread: (o) => storage.getThread(o),
    deleteThread: (o) => storage.deleteThread(o),
    listThreads: (o) => storage.listThreads(o),
    trimThread: (o) => storage.trimThread(o),
    setThreadRetention: (o) => storage.setThreadRetention(o),
    sweepRetention: (o) => storage.sweepRetention(o),
    ping: () => storage.ping(),
    close: () => storage.close(),
  };
}

/** A Storage whose getCheckpoint answers with `pointer` as the thread (to stage a pointer stored before thread lives). */
export function withCheckpointPointer(storage: Storage, pointer: ThreadPointer): Storage {
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === 'getCheckpoint') {
        return async (options: Parameters<Storage['getCheckpoint']>[0]) => {
          const checkpoint = await target.getCheckpoint(options);
          return checkpoint && { ...checkpoint, thread: pointer };
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** An agent's local journal: entries with caller ids, as an agent framework would keep them. */
export class LocalJournal {
  readonly entries: EntryInput[] = [];
  constructor(readonly id: string) {}

  get rev(): number {
    return this.entries.length;
  }

  /** Adds `n` entries with fresh ids and returns them. */
  add(n: number, prefix = 'e'): EntryInput[] {
    const added = Array.from({ length: n }, (_, i) => ({ id: `${prefix}${this.rev + i}`, kind: 'step', payload: { n: this.rev + i } }));
    this.entries.push(...added);
    return added;
  }

  /** The last `n` entries, as hibernate takes them. */
  tail(n: number): EntryInput[] {
    return n === 0 ? [] : this.entries.slice(-n);
  }

  /** Replays entries read from storage into the local journal. */
  load(stored: readonly Entry[]): void {
    for (const e of stored) this.entries[e.seq] = { id: e.id, kind: e.kind, payload: e.payload };
  }
}
