import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { PreparedAppend } from '../../domain/append.js';
import { StorageUnavailable } from '../../domain/errors.js';
import type { ThreadHead } from '../../domain/types.js';
import type { AppendEntriesResult } from '../types.js';
import { appendOneStatement } from './append-one.js';
import { sortKey, threadChannel } from './codec.js';
import { withClient } from './connection.js';
import type { PostgresParts } from './storage.js';
import { appendOutcome } from './threads.js';

type Result = AppendEntriesResult & { thread: ThreadHead };

interface Pending {
  append: PreparedAppend;
  bodies: string[];
  metadata: string;
  now: Date;
  key: Buffer;
  bytes: number;
  sent: boolean;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** Most appends in one transaction, and most bytes of entry JSON (a single bigger append goes alone). */
const MAX_APPENDS = 64;
const MAX_BYTES = 8 * 1024 * 1024;

/**
 * Group commit for appends. Appends made while earlier ones are in flight wait in a queue and go
 * together, as one `append_batch` statement (one transaction, one commit, one fsync, one turn at
 * PostgreSQL's NOTIFY commit lock), each still with its own revision check and outcome: one
 * append's RevisionConflict does not affect the others. A lone append is sent at once (no added
 * latency). Within a batch appends are ordered by (namespace, id key), so any two transactions
 * lock thread heads in the same order and never deadlock; appends to one thread keep the order
 * they were made in. Every append keeps its own deadline (`timeoutMs`, waiting included); one
 * that passes it fails with StorageUnavailable (when it had been sent, it may still commit:
 * retry with expectedRev and ids). A batch of one goes as appendOneStatement (append-one.ts), which
 * skips the plpgsql call for the common case. If a batch fails for any reason but the database being
 * unavailable, its appends are retried one by one so each gets its own error.
 */
export class AppendBatcher {
  readonly #parts: PostgresParts;
  readonly #maxInFlight: number;
  readonly #queue: Pending[] = [];
  #inFlight = 0;
  /** Threads with an append in a batch already sent: their next appends wait (call order per thread). */
  readonly #busyThreads = new Set<string>();
  readonly #loneText: string;

  constructor(parts: PostgresParts, maxInFlight = 2) {
    this.#parts = parts;
    this.#maxInFlight = maxInFlight;
    this.#loneText = appendOneStatement(parts.S);
  }

  /** Queues one validated append; resolves with its outcome. */
  submit(append: PreparedAppend, bodies: string[], metadata: string, now: Date): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const item: Pending = {
        append,
        bodies,
        metadata,
        now,
        key: sortKey(append.threadId),
        bytes: bodies.reduce((n, b) => n + b.length, 0),
        sent: false,
        settled: false,
        timer: undefined,
        resolve: (result) => {
          if (item.settled) return;
          item.settled = true;
          clearTimeout(item.timer);
          resolve(result);
        },
        reject: (error) => {
          if (item.settled) return;
          item.settled = true;
          clearTimeout(item.timer);
          reject(error);
        },
      };
      const ms = this.#parts.timeoutMs;
      item.timer = setTimeout(() => {
        if (!item.sent) this.#queue.splice(this.#queue.indexOf(item), 1);
        item.reject(new StorageUnavailable(`postgres did not answer within ${ms} ms`));
      }, ms);
      this.#queue.push(item);
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      // Appends to one thread are applied in call order: a thread with a batch in flight keeps its
      // later appends queued (in order) until that batch is done; other threads go ahead.
      const batch: Pending[] = [];
      let bytes = 0;
      for (let i = 0; i < this.#queue.length && batch.length < MAX_APPENDS; ) {
        const next = this.#queue[i]!;
        if (this.#busyThreads.has(threadOf(next))) {
          i++;
          continue;
        }
        if (batch.length > 0 && bytes + next.bytes > MAX_BYTES) break;
        this.#queue.splice(i, 1);
        bytes += next.bytes;
        batch.push(next);
      }
      if (batch.length === 0) return;
      const threads = new Set(batch.map(threadOf));
      for (const thread of threads) this.#busyThreads.add(thread);
      this.#inFlight++;
      void this.#send(batch, true).finally(() => {
        for (const thread of threads) this.#busyThreads.delete(thread);
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  /** One append alone: appendOneStatement (one statement, usually no plpgsql). */
  #loneStatement(p: Pending): pg.QueryConfig {
    const parts = this.#parts;
    return {
      name: `${parts.schema}.append-one`,
      text: this.#loneText,
      values: [
        p.append.namespace,
        p.key,
        p.append.threadId,
        p.append.expectedRev ?? null,
        p.append.idsFromCaller,
        p.metadata,
        p.now,
        randomUUID(),
        p.append.startSeq,
        p.append.retention?.maxEntries ?? null,
        p.append.retention?.maxAgeSeconds ?? null,
        p.append.entries.map((e) => e.id),
        p.bodies,
        threadChannel(parts.schema, p.append.namespace, p.append.threadId),
      ],
    };
  }

  /** Several appends: one `append_batch` call, entries of all of them in flat arrays. */
  #batchStatement(ordered: Pending[]): pg.QueryConfig {
    const parts = this.#parts;
    return {
      name: `${parts.schema}.append-batch`,
      text: `SELECT * FROM ${parts.S}.append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      values: [
        ordered.map((p) => p.append.namespace),
        ordered.map((p) => p.key),
        ordered.map((p) => p.append.threadId),
        ordered.map((p) => p.append.expectedRev ?? null),
        ordered.map((p) => p.append.idsFromCaller),
        ordered.map((p) => p.metadata),
        ordered.map((p) => p.now),
        ordered.map(() => randomUUID()),
        ordered.map((p) => p.append.startSeq),
        ordered.map((p) => p.append.retention?.maxEntries ?? null),
        ordered.map((p) => p.append.retention?.maxAgeSeconds ?? null),
        ordered.map((p) => p.bodies.length),
        ordered.flatMap((p) => p.append.entries.map((e) => e.id)),
        ordered.flatMap((p) => p.bodies),
        ordered.map((p) => threadChannel(parts.schema, p.append.namespace, p.append.threadId)),
      ],
    };
  }

  async #send(batch: Pending[], mayRetryAlone: boolean): Promise<void> {
    const parts = this.#parts;
    // A stable sort: the lock order; appends to one thread stay in submission order.
    const ordered = batch
      .map((item, i) => ({ item, i }))
      .sort((a, b) => compareKeys(a.item, b.item) || a.i - b.i)
      .map(({ item }) => item);
    for (const item of ordered) item.sent = true;
    let rows: Record<string, unknown>[];
    try {
      rows = await withClient(parts.pool, parts.timeoutMs, async (client) => {
        const result = await client.query(ordered.length === 1 ? this.#loneStatement(ordered[0]!) : this.#batchStatement(ordered));
        return result.rows as Record<string, unknown>[];
      });
    } catch (error) {
      if (mayRetryAlone && ordered.length > 1 && !(error instanceof StorageUnavailable)) {
        for (const item of ordered) await this.#send([item], false);
        return;
      }
      for (const item of ordered) item.reject(error);
      return;
    }
    for (const row of rows) {
      const item = ordered.length === 1 ? ordered[0]! : ordered[Number(row.idx) - 1]!;
      try {
        item.resolve(appendOutcome(item.append, item.bodies, row));
      } catch (error) {
        item.reject(error);
      }
    }
    for (const item of ordered) item.reject(new Error('append_batch returned no row for an append'));
  }
}

function threadOf(item: Pending): string {
  return `${item.append.namespace}\u0000${item.append.threadId}`;
}

function compareKeys(a: Pending, b: Pending): number {
  if (a.append.namespace !== b.append.namespace) return a.append.namespace < b.append.namespace ? -1 : 1;
  return Buffer.compare(a.key, b.key);
}
