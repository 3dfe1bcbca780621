import { StorageUnavailable } from '../../domain/errors.js';
import type { RedisConnection } from './connection.js';
import { hashSlot } from './keys.js';
import { appendCall, parseAppendReplies, type AppendArgs, type AppendReply } from './scripts/append.js';
import type { PublishCommand } from './scripts/lua-script.js';

/** Options of {@link AppendBatcher}. */
export interface AppendBatcherOptions {
  /** Script runs in flight per lane (one lane on a single Redis, one per slot in a cluster). @default 2 */
  maxInFlight?: number;
  /** Most appends in one run. @default 64 */
  maxAppends?: number;
  /** Most bytes of entry JSON in one run (a single bigger append goes alone). @default 1 MiB */
  maxBytes?: number;
  /** How long a queued append may wait to be sent before it is dropped (its caller has given up). */
  timeoutMs: number;
}

interface Pending {
  args: AppendArgs;
  bytes: number;
  expires: number;
  resolve(reply: AppendReply): void;
  reject(error: unknown): void;
}

/**
 * What this process saw of a thread's head in an append's reply: what stays fixed for one life
 * (only a create writes metadata and createdAt). `life` null: a head stored before lives.
 */
export interface KnownThread {
  life: string | null;
  /** Stored metadata JSON. */
  meta: string;
  createdAt: string;
}

/** Characters one entry of the known-thread map holds (its key and values). */
function knownChars(head: string, thread: KnownThread): number {
  return head.length + thread.meta.length + thread.createdAt.length + (thread.life?.length ?? 0);
}

interface Lane {
  queue: Pending[];
  inFlight: number;
}

/**
 * Group commit for appends (docs/architecture.md; the file and PostgreSQL adapters do the same):
 * appends made while earlier ones are in flight wait in a queue and go together as ONE run of the
 * APPEND script (one EVALSHA, one script start, one reply), where each is still checked and
 * applied on its own, in queue order, exactly as separate runs would apply them. A lone append is
 * sent at once (no added latency). In a cluster a run only holds appends whose keys share a
 * slot (a lane per slot). Queue order is call order, and runs of one lane go over one connection
 * in order, so appends one caller makes to one thread are applied in call order. An append still
 * queued when its caller's deadline passed is dropped (StorageUnavailable; it was never sent).
 * A failed run fails each of its appends with that error (their outcome is unknown only when
 * the run may have executed: connection lost or timed out after sending).
 */
export class AppendBatcher {
  readonly #connection: RedisConnection;
  readonly #publish: PublishCommand;
  readonly #maxInFlight: number;
  readonly #maxAppends: number;
  readonly #maxBytes: number;
  readonly #timeoutMs: number;
  readonly #lanes = new Map<number, Lane>();
  /** Threads whose head holds what a `lean` append needs (seen in a reply), by head key; bounded. */
  readonly #known = new Map<string, KnownThread>();
  /** Characters held by #known (keys and values), bounded with its size. */
  #knownChars = 0;

  constructor(connection: RedisConnection, publish: PublishCommand, options: AppendBatcherOptions) {
    this.#connection = connection;
    this.#publish = publish;
    this.#maxInFlight = options.maxInFlight ?? 2;
    this.#maxAppends = options.maxAppends ?? 64;
    this.#maxBytes = options.maxBytes ?? 1024 * 1024;
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * The thread (head key) as last seen in a reply, when appends to it may go `lean` (`short` with
   * a life; scripts/append.ts). Only a hint: the script checks it against the stored head.
   */
  known(head: string): KnownThread | undefined {
    return this.#known.get(head);
  }

  /**
   * Remembers a thread whose head holds what a lean append needs (forgets all past 100,000 threads
   * or 32 Mi characters of keys and metadata, whichever comes first).
   */
  markKnown(head: string, thread: KnownThread): void {
    const chars = knownChars(head, thread);
    const before = this.#known.get(head);
    if (before) this.#knownChars -= knownChars(head, before);
    else if (this.#known.size >= 100_000 || this.#knownChars + chars > 32 * 1024 * 1024) {
      this.#known.clear();
      this.#knownChars = 0;
    }
    this.#known.set(head, thread);
    this.#knownChars += chars;
  }

  /** Queues one append; resolves with its own answer. */
  submit(args: AppendArgs): Promise<AppendReply> {
    return new Promise<AppendReply>((resolve, reject) => {
      const slot = this.#connection.cluster ? hashSlot(args.head) : 0;
      let lane = this.#lanes.get(slot);
      if (!lane) this.#lanes.set(slot, (lane = { queue: [], inFlight: 0 }));
      let bytes = 0;
      for (const entry of args.entries) bytes += entry.json.length;
      lane.queue.push({ args, bytes, expires: Date.now() + this.#timeoutMs, resolve, reject });
      this.#pump(slot, lane);
    });
  }

  #pump(slot: number, lane: Lane): void {
    while (lane.inFlight < this.#maxInFlight && lane.queue.length > 0) {
      const batch = this.#take(lane);
      if (batch.length === 0) continue;
      lane.inFlight++;
      this.#connection
        .run(appendCall(batch.map((p) => p.args), this.#publish))
        .then(
          (reply) => {
            let replies: AppendReply[];
            try {
              replies = parseAppendReplies(reply, batch.length);
            } catch (error) {
              for (const p of batch) p.reject(error);
              return;
            }
            for (let i = 0; i < batch.length; i++) batch[i]!.resolve(replies[i]!);
          },
          (error: unknown) => {
            for (const p of batch) p.reject(error);
          },
        )
        .finally(() => {
          lane.inFlight--;
          if (lane.queue.length > 0) this.#pump(slot, lane);
          else if (lane.inFlight === 0 && this.#lanes.get(slot) === lane) this.#lanes.delete(slot);
        });
    }
  }

  /** The next run's appends, from the queue's head: up to maxAppends and maxBytes (at least one). */
  #take(lane: Lane): Pending[] {
    const now = Date.now();
    const batch: Pending[] = [];
    let bytes = 0;
    while (lane.queue.length > 0 && batch.length < this.#maxAppends) {
      const next = lane.queue[0]!;
      if (next.expires < now) {
        lane.queue.shift();
        next.reject(new StorageUnavailable(`redis did not take the append within ${this.#timeoutMs} ms`));
        continue;
      }
      if (batch.length > 0 && bytes + next.bytes > this.#maxBytes) break;
      lane.queue.shift();
      batch.push(next);
      bytes += next.bytes;
    }
    return batch;
  }
}
