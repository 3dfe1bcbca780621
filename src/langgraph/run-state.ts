import type { BlobRef } from './entries.js';
import type { PinState } from './pin-state.js';

/** What a saver knows of one run from its own last read or write. */
export interface RunView {
  /** The journal's rev: the seq the next entry gets. */
  rev: number;
  /** The latest pointer's Cryo checkpoint rev (0: none yet), for fencing. */
  checkpointRev: number;
  /** The run's pin's Cryo checkpoint rev (0: none yet): its writes are fenced by it. */
  pinRev: number;
  /** What the pin holds as this saver last wrote or read it (undefined: not known; the next put writes it). */
  pin?: PinState;
  /** The latest LangGraph checkpoint: its id, seq and (when known) where its channel values live. */
  latest?: { id: string; seq: number; blobs?: Record<string, BlobRef> };
}

/**
 * One queue per run: the saver's writes to one run happen one at a time, in call order (LangGraph
 * calls putWrites for parallel tasks concurrently), so each knows the journal rev it appends at.
 */
export class RunLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return next;
  }
}

/** Seqs of checkpoints this saver wrote or read (a hint, always checked against the journal), at most `max`. */
export class SeqCache {
  private readonly seqs = new Map<string, number>();

  constructor(private readonly max = 10_000) {}

  get(key: string, checkpointId: string): number | undefined {
    return this.seqs.get(`${key}\n${checkpointId}`);
  }

  set(key: string, checkpointId: string, seq: number): void {
    const name = `${key}\n${checkpointId}`;
    this.seqs.delete(name);
    this.seqs.set(name, seq);
    if (this.seqs.size > this.max) this.seqs.delete(this.seqs.keys().next().value as string);
  }

  /** Drops every seq of a run (after deleteThread). */
  forget(key: string): void {
    for (const name of this.seqs.keys()) if (name.startsWith(`${key}\n`)) this.seqs.delete(name);
  }
}
