import { open, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { checkExpectedRev, isReplayOf, type PreparedAppend } from '../../domain/append.js';
import type { PointedThread } from '../../domain/checkpoint.js';
import { RevisionConflict, StorageCorrupted, StorageUnavailable } from '../../domain/errors.js';
import { checkTrim, maxEntriesTarget, requireThread, type PreparedSetRetention, type PreparedTrim } from '../../domain/retention.js';
import { legacyThreadLife, newThreadLife } from '../../domain/thread-life.js';
import type { Entry, ThreadHead } from '../../domain/types.js';
import type { LocalChangeFeed } from '../local-change-feed.js';
import type { ThreadKey } from '../prepare-options.js';
import type { AppendEntriesResult, Page, SweepRetentionResult, TrimThreadResult } from '../types.js';
import { JournalFile, type Compaction, type JournalContext } from './journal-file.js';
import { scanJournal } from './journal-scan.js';
import { KeyedMutex } from './keyed-mutex.js';
import { JOURNAL_NAME, JOURNAL_TEMP_NAME, journalName } from './names.js';
import type { PointerIndex } from './pointer-index.js';
import { policyTargetOf } from './policy-target.js';
import type { Problem, RecoveryReport } from './recovery.js';
import { SortedIndex } from './sorted-index.js';

type Locked =
  | { replayed: AppendEntriesResult }
  | { journal: JournalFile; firstSeq: number; first: number; created: boolean; durable: Promise<void> };

/** Compactions done, for benchmarks and tests. */
export interface CompactionStats {
  compactions: number;
  /** Bytes the compactions removed from disk. */
  reclaimedBytes: number;
}

/**
 * Threads of the file adapter: one journal per thread, all heads and seq → offset indexes in
 * memory (built by scanning every journal once at open), a sorted id index per namespace for
 * listings. Appends are serialized per thread only for the revision check and the reservation;
 * the write is combined with other queued appends of the thread, the flush is shared with
 * concurrent appends (group commit), both awaited outside the lock, and a change is published
 * only once durable. Does NOT bound memory: one number per entry and one
 * head per thread stay in memory.
 */
export class ThreadStore {
  readonly #journals = new Map<string, JournalFile>();
  readonly #sorted = new SortedIndex();
  readonly #corrupted = new Map<string, Problem>();
  readonly #mutex = new KeyedMutex();
  /** Compactions scheduled or running, by thread. */
  readonly #compacting = new Map<string, Promise<void>>();
  #sweeping = false;
  readonly compactionStats: CompactionStats = { compactions: 0, reclaimedBytes: 0 };

  constructor(
    readonly directory: string,
    readonly ctx: JournalContext,
    readonly changes: LocalChangeFeed,
    readonly pointers: PointerIndex,
  ) {}

  /**
   * Scans every journal: cuts torn tails, removes journals with no complete append and temp files
   * of interrupted compactions, records damage.
   */
  async load(report: RecoveryReport, strict: boolean): Promise<void> {
    const all = await readdir(this.directory);
    for (const name of all.filter((n) => JOURNAL_TEMP_NAME.test(n))) {
      await unlink(join(this.directory, name));
      report.removed.push(join(this.directory, name));
    }
    const names = all.filter((name) => JOURNAL_NAME.test(name));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < names.length) await this.#loadOne(names[next++]!, report, strict);
    };
    await Promise.all(Array.from({ length: Math.min(8, names.length) }, worker));
    if (report.removed.length > 0) await this.ctx.dir.sync();
  }

  async #loadOne(name: string, report: RecoveryReport, strict: boolean): Promise<void> {
    const path = join(this.directory, name);
    const handle = await open(path, 'r+');
    try {
      const size = (await handle.stat()).size;
      const scan = await scanJournal(handle, size);
      if (scan.kind === 'empty') {
        await unlink(path);
        report.removed.push(path);
        return;
      }
      let problem: Problem | null = null;
      if (scan.kind === 'corrupt') problem = { file: path, offset: scan.offset, reason: scan.reason };
      else if (journalName(scan.header.ns, scan.header.id) !== name) {
        problem = { file: path, offset: 0, reason: 'file name does not match the thread header' };
      }
      if (problem || scan.kind !== 'ok') {
        problem ??= { file: path, offset: 0, reason: 'unreadable' };
        if (strict) throw new StorageCorrupted(`journal is damaged: ${problem.reason}`, `${path} at offset ${problem.offset}`);
        this.#corrupted.set(name, problem);
        report.corrupted.push(problem);
        return;
      }
      if (scan.tornTail) {
        await handle.truncate(scan.size);
        await handle.datasync();
        report.truncated.push({ file: path, from: size, to: scan.size });
      }
      const { ns, id, metadata, createdAt, life } = scan.header;
      const thread = { metadata, createdAt, life: life ?? legacyThreadLife(createdAt), retention: scan.retention, base: scan.base };
      const journal = new JournalFile(this.ctx, path, ns, id, thread, scan);
      this.#journals.set(mapKey(ns, id), journal);
      this.#sorted.add(ns, id);
    } finally {
      await handle.close();
    }
  }

  /** Copies the input, appends under the thread's lock, then waits for the shared flush; publishes once durable. */
  async append(append: PreparedAppend, now: Date): Promise<AppendEntriesResult> {
    const key: ThreadKey = { namespace: append.namespace, threadId: append.threadId };
    this.#assertReadable(key);
    const at = now.toISOString();
    // Copied now, before any wait: the caller may change its objects while this call is in flight.
    const captured: PreparedAppend = { ...append, entries: structuredClone(append.entries), metadata: structuredClone(append.metadata) };
    const locked = await this.#mutex.run(mapKey(key.namespace, key.threadId), () => this.#appendLocked(captured, at));
    if ('replayed' in locked) return locked.replayed;
    const { journal, firstSeq, first, created, durable } = locked;
    await durable;
    const rev = firstSeq + append.entries.length;
    if (created && !journal.deleted) this.#sorted.add(key.namespace, key.threadId);
    this.changes.publish({ type: 'thread-appended', namespace: key.namespace, threadId: key.threadId, rev });
    this.#maybeCompact(key, journal);
    const entries: Entry[] = captured.entries.map((e, i) => ({ ...e, threadId: key.threadId, seq: firstSeq + i }));
    return { thread: { ...journal.head(), rev, firstSeq: first, updatedAt: at }, entries, replayed: false };
  }

  async #appendLocked(append: PreparedAppend, at: string): Promise<Locked> {
    const mk = mapKey(append.namespace, append.threadId);
    let journal = this.#journals.get(mk);
    if (!journal) {
      const path = join(this.directory, journalName(append.namespace, append.threadId));
      const thread = { metadata: append.metadata, createdAt: at, life: newThreadLife(), retention: append.retention, base: append.startSeq };
      journal = new JournalFile(this.ctx, path, append.namespace, append.threadId, thread, null);
      this.#journals.set(mk, journal);
    }
    try {
      journal.assertHealthy();
      journal.adoptIfEmpty(append.metadata, at, append.retention, append.startSeq);
      let decision = checkExpectedRev(append, journal.writtenRev);
      if (decision !== 'append') {
        // Answer conflicts and replays from durable state only.
        await journal.settled();
        journal.assertHealthy();
        decision = checkExpectedRev(append, journal.durableRev);
      }
      if (decision instanceof RevisionConflict) throw decision;
      if (decision === 'check-replay') {
        const from = append.expectedRev!;
        // A retry whose entries were trimmed cannot be recognised: a conflict, never a second copy.
        const stored = from < journal.firstSeq ? [] : ((await journal.read(from, append.entries.length)) ?? []);
        if (!isReplayOf(append, stored.map((e) => e.id))) {
          throw new RevisionConflict(from, journal.durableRev, `thread ${JSON.stringify(append.threadId)}`);
        }
        return { replayed: { thread: journal.head(), entries: stored, replayed: true } };
      }
      const created = journal.writtenSize === 0;
      // maxEntries applies inside the append: its last record carries the new firstSeq.
      const rev = journal.writtenRev + append.entries.length;
      // The pointer lookup only runs for a thread with a maxEntries policy (maxEntriesTarget is null without one).
      const lowest =
        journal.retention?.maxEntries != null ? (this.pointers.lowest(append.namespace, append.threadId, journal.life)?.rev ?? null) : null;
      const target = maxEntriesTarget({ rev, firstSeq: journal.reservedFirst }, journal.retention, lowest);
      const first = target ?? journal.reservedFirst;
      const { firstSeq, durable } = journal.append(append.entries, at, first);
      return { journal, firstSeq, first, created, durable };
    } finally {
      if (journal.writtenSize === 0 && !journal.busy) this.#journals.delete(mk);
    }
  }

  /**
   * The durable rev, the firstSeq (trims in flight included, so a pointer checked now cannot
   * fall below a trim that is being written) and the life of a thread (null when missing).
   */
  durableHead(key: ThreadKey): PointedThread | null {
    this.#assertReadable(key);
    const journal = this.#journals.get(mapKey(key.namespace, key.threadId));
    return journal && journal.exists ? { rev: journal.durableRev, firstSeq: journal.reservedFirst, life: journal.life } : null;
  }

  /**
   * trimThread: under the thread's lock, once its appends are durable, checks (checkTrim against
   * the reverse index) and reserves the new firstSeq in one synchronous step, writes a retention
   * record and waits for it to be durable; then publishes `thread-trimmed` and schedules a
   * compaction when the trimmed bytes justify one.
   */
  trim(trim: PreparedTrim, at: string): Promise<TrimThreadResult> {
    const key: ThreadKey = { namespace: trim.namespace, threadId: trim.threadId };
    this.#assertReadable(key);
    return this.#mutex.run(mapKey(key.namespace, key.threadId), async () => {
      const journal = await this.#settledJournal(key);
      const head = journal && { rev: journal.durableRev, firstSeq: journal.firstSeq };
      const lowest = journal ? this.pointers.lowest(key.namespace, key.threadId, journal.life) : null;
      if (checkTrim(trim, head, lowest) === 'noop') return { thread: journal!.head(), dropped: 0 };
      const dropped = await this.#trimLocked(key, journal!, trim.beforeSeq, at);
      return { thread: journal!.head(), dropped };
    });
  }

  /** setThreadRetention: records the policy and the trim it asks for now in one durable record. */
  setRetention(set: PreparedSetRetention, now: Date): Promise<ThreadHead> {
    const key: ThreadKey = { namespace: set.namespace, threadId: set.threadId };
    this.#assertReadable(key);
    return this.#mutex.run(mapKey(key.namespace, key.threadId), async () => {
      const journal = requireThread(await this.#settledJournal(key), set.threadId);
      const lowest = this.pointers.lowest(key.namespace, key.threadId, journal.life)?.rev ?? null;
      const target = this.#bounded(key, journal, await policyTargetOf(journal, set.retention, now, lowest));
      const before = journal.firstSeq;
      await journal.writeMeta(target ?? before, now.toISOString(), set.retention);
      journal.retention = set.retention;
      if (journal.firstSeq > before) this.#trimmed(key, journal);
      return journal.head();
    });
  }

  /**
   * sweepRetention: applies every thread's policy at `now`, one thread at a time under its lock
   * (an append waits for at most one thread's trim). One sweep at a time in this process: a
   * second concurrent call returns `skipped`.
   */
  async sweep(now: Date): Promise<SweepRetentionResult> {
    if (this.#sweeping) return { skipped: true, trimmedThreads: 0, dropped: 0 };
    this.#sweeping = true;
    let trimmedThreads = 0;
    let dropped = 0;
    try {
      for (const journal of [...this.#journals.values()]) {
        if (!journal.retention) continue;
        const key: ThreadKey = { namespace: journal.namespace, threadId: journal.threadId };
        const n = await this.#mutex.run(mapKey(key.namespace, key.threadId), async () => {
          if (journal.deleted || this.#journals.get(mapKey(key.namespace, key.threadId)) !== journal) return 0;
          await journal.settled();
          if (!journal.exists || !journal.retention) return 0;
          journal.assertHealthy();
          const lowest = this.pointers.lowest(key.namespace, key.threadId, journal.life)?.rev ?? null;
          const target = this.#bounded(key, journal, await policyTargetOf(journal, journal.retention, now, lowest));
          return target === null ? 0 : this.#trimLocked(key, journal, target, now.toISOString());
        });
        if (n > 0) {
          trimmedThreads++;
          dropped += n;
        }
      }
    } finally {
      this.#sweeping = false;
    }
    return { skipped: false, trimmedThreads, dropped };
  }

  /** The thread's journal once its queued appends are durable (call under its lock), or null when missing. */
  async #settledJournal(key: ThreadKey): Promise<JournalFile | null> {
    const journal = this.#journals.get(mapKey(key.namespace, key.threadId));
    if (!journal) return null;
    await journal.settled();
    journal.assertHealthy();
    return journal.exists && !journal.deleted ? journal : null;
  }

  /**
   * A policy target computed across reads (a put may have indexed a lower pointer meanwhile),
   * bounded again by the pointers as they are now; null when it drops nothing. The caller writes
   * the trim in the same synchronous step.
   */
  #bounded(key: ThreadKey, journal: JournalFile, target: number | null): number | null {
    if (target === null) return null;
    const lowest = this.pointers.lowest(key.namespace, key.threadId, journal.life)?.rev;
    if (lowest !== undefined) target = Math.min(target, lowest);
    return target > journal.reservedFirst ? target : null;
  }

  /** Writes the trim to `beforeSeq` (checked by the caller, under the lock); returns entries dropped. */
  async #trimLocked(key: ThreadKey, journal: JournalFile, beforeSeq: number, at: string): Promise<number> {
    const before = journal.firstSeq;
    await journal.writeMeta(beforeSeq, at);
    const dropped = journal.firstSeq - before;
    if (dropped > 0) this.#trimmed(key, journal);
    return dropped;
  }

  #trimmed(key: ThreadKey, journal: JournalFile): void {
    this.changes.publish({ type: 'thread-trimmed', namespace: key.namespace, threadId: key.threadId, firstSeq: journal.firstSeq });
    this.#maybeCompact(key, journal);
  }

  /** Schedules a compaction of the journal (under its lock, after the calls queued now) when it pays. */
  #maybeCompact(key: ThreadKey, journal: JournalFile): void {
    const mk = mapKey(key.namespace, key.threadId);
    if (this.#compacting.has(mk) || !journal.wantsCompaction()) return;
    const run = this.#mutex
      .run(mk, async (): Promise<Compaction | null> => {
        if (journal.deleted || !journal.wantsCompaction()) return null;
        return journal.compact();
      })
      .then(
        (done) => {
          if (done) {
            this.compactionStats.compactions++;
            this.compactionStats.reclaimedBytes += done.bytesBefore - done.bytesAfter;
          }
        },
        // A failed compaction left the old file in place (or fenced the journal): appends report it.
        () => {},
      )
      .finally(() => this.#compacting.delete(mk));
    this.#compacting.set(mk, run);
  }

  /**
   * Schedules the compactions a crash interrupted (journals whose trimmed bytes justify one), so
   * the next open reads no more than about twice the retained bytes. Call once after load.
   */
  compactWhereDue(): void {
    for (const journal of this.#journals.values()) this.#maybeCompact({ namespace: journal.namespace, threadId: journal.threadId }, journal);
  }

  /** Resolves once every compaction scheduled so far is done. */
  async compactions(): Promise<void> {
    while (this.#compacting.size > 0) await Promise.all([...this.#compacting.values()]);
  }

  getThread(key: ThreadKey): ThreadHead | null {
    const journal = this.#visible(key);
    return journal ? journal.head() : null;
  }

  async readEntries(key: ThreadKey, fromSeq: number, limit: number): Promise<Entry[]> {
    const journal = this.#visible(key);
    if (!journal) return [];
    const rev = journal.durableRev;
    const from = Math.max(fromSeq, journal.firstSeq);
    if (from >= rev) return [];
    return (await journal.read(from, Math.min(limit, rev - from))) ?? [];
  }

  async readTail(key: ThreadKey, limit: number): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
    const journal = this.#visible(key);
    if (!journal) return { thread: null, entries: [] };
    const thread = journal.head();
    const count = Math.min(limit, thread.rev - thread.firstSeq);
    const entries = await journal.read(thread.rev - count, count);
    return entries ? { thread, entries } : { thread: null, entries: [] };
  }

  /** Removes the journal (a damaged one too: that is how a user discards it). */
  deleteThread(key: ThreadKey): Promise<boolean> {
    const mk = mapKey(key.namespace, key.threadId);
    return this.#mutex.run(mk, async () => {
      const name = journalName(key.namespace, key.threadId);
      const path = join(this.directory, name);
      if (this.#corrupted.has(name)) {
        await this.#unlink(path);
        this.#corrupted.delete(name);
        return true;
      }
      const journal = this.#journals.get(mk);
      if (!journal) return false;
      await journal.settled();
      const existed = journal.exists;
      // Logged before the unlink, so replaying the log after a crash cannot bring the thread back.
      if (this.ctx.wal) await this.ctx.wal.tombstone(key.namespace, key.threadId);
      journal.deleted = true;
      this.#journals.delete(mk);
      this.#sorted.delete(key.namespace, key.threadId);
      this.ctx.pool.retire(path);
      await this.#unlink(path);
      if (existed) this.changes.publish({ type: 'thread-deleted', namespace: key.namespace, threadId: key.threadId });
      return existed;
    });
  }

  listThreads(namespace: string, first: number, after: string | null): Page<ThreadHead> {
    const ids = this.#sorted.page(namespace, after, first + 1);
    const items: ThreadHead[] = [];
    for (const id of ids.slice(0, first)) {
      const journal = this.#journals.get(mapKey(namespace, id));
      if (journal && journal.exists) items.push(journal.head());
    }
    return { items, hasMore: ids.length > first };
  }

  /** The namespaces holding at least one thread. */
  namespaces(): string[] {
    return this.#sorted.namespaces();
  }

  /** Waits until no append of any thread is still being flushed and no compaction runs. */
  async idle(): Promise<void> {
    await this.compactions();
    await Promise.all([...this.#journals.values()].map((j) => j.settled()));
  }

  async #unlink(path: string): Promise<void> {
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StorageUnavailable(`cannot delete ${path}: ${(error as Error).message}`, { cause: error });
      }
    }
    try {
      await this.ctx.commit.sync(this.ctx.dir, true);
    } catch (error) {
      throw new StorageUnavailable(`cannot flush ${this.directory}: ${(error as Error).message}`, { cause: error });
    }
  }

  #visible(key: ThreadKey): JournalFile | null {
    this.#assertReadable(key);
    const journal = this.#journals.get(mapKey(key.namespace, key.threadId));
    return journal && journal.exists ? journal : null;
  }

  #assertReadable(key: ThreadKey): void {
    const problem = this.#corrupted.get(journalName(key.namespace, key.threadId));
    if (problem) {
      throw new StorageCorrupted(
        `journal of thread ${JSON.stringify(key.threadId)} is damaged (${problem.reason}); delete the thread to discard it`,
        `${problem.file} at offset ${problem.offset}`,
      );
    }
  }
}

function mapKey(namespace: string, threadId: string): string {
  return JSON.stringify([namespace, threadId]);
}
