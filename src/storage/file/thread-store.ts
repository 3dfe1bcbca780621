import { open, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { checkExpectedRev, isReplayOf, type PreparedAppend } from '../../domain/append.js';
import type { PointedThread } from '../../domain/checkpoint.js';
import { RevisionConflict, StorageCorrupted, StorageUnavailable } from '../../domain/errors.js';
import { legacyThreadLife, newThreadLife } from '../../domain/thread-life.js';
import type { Entry, ThreadHead } from '../../domain/types.js';
import type { LocalChangeFeed } from '../local-change-feed.js';
import type { ThreadKey } from '../prepare-options.js';
import type { AppendEntriesResult, Page } from '../types.js';
import { JournalFile, type JournalContext } from './journal-file.js';
import { scanJournal } from './journal-scan.js';
import { KeyedMutex } from './keyed-mutex.js';
import { JOURNAL_NAME, journalName } from './names.js';
import type { Problem, RecoveryReport } from './recovery.js';
import { SortedIndex } from './sorted-index.js';

type Locked =
  | { replayed: AppendEntriesResult }
  | { journal: JournalFile; firstSeq: number; durable: Promise<void> };

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

  constructor(
    readonly directory: string,
    readonly ctx: JournalContext,
    readonly changes: LocalChangeFeed,
  ) {}

  /** Scans every journal: cuts torn tails, removes journals with no complete append, records damage. */
  async load(report: RecoveryReport, strict: boolean): Promise<void> {
    const names = (await readdir(this.directory)).filter((name) => JOURNAL_NAME.test(name));
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
      const thread = { metadata, createdAt, life: life ?? legacyThreadLife(createdAt) };
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
    const { journal, firstSeq, durable } = locked;
    await durable;
    const rev = firstSeq + append.entries.length;
    if (firstSeq === 0 && !journal.deleted) this.#sorted.add(key.namespace, key.threadId);
    this.changes.publish({ type: 'thread-appended', namespace: key.namespace, threadId: key.threadId, rev });
    const entries: Entry[] = captured.entries.map((e, i) => ({ ...e, threadId: key.threadId, seq: firstSeq + i }));
    return { thread: { ...journal.head(), rev, updatedAt: at }, entries, replayed: false };
  }

  async #appendLocked(append: PreparedAppend, at: string): Promise<Locked> {
    const mk = mapKey(append.namespace, append.threadId);
    let journal = this.#journals.get(mk);
    if (!journal) {
      const path = join(this.directory, journalName(append.namespace, append.threadId));
      const thread = { metadata: append.metadata, createdAt: at, life: newThreadLife() };
      journal = new JournalFile(this.ctx, path, append.namespace, append.threadId, thread, null);
      this.#journals.set(mk, journal);
    }
    try {
      journal.assertHealthy();
      journal.adoptIfEmpty(append.metadata, at);
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
        const stored = (await journal.read(from, append.entries.length)) ?? [];
        if (!isReplayOf(append, stored.map((e) => e.id))) {
          throw new RevisionConflict(from, journal.durableRev, `thread ${JSON.stringify(append.threadId)}`);
        }
        return { replayed: { thread: journal.head(), entries: stored, replayed: true } };
      }
      const { firstSeq, durable } = journal.append(append.entries, at);
      return { journal, firstSeq, durable };
    } finally {
      if (journal.writtenRev === 0 && !journal.busy) this.#journals.delete(mk);
    }
  }

  /** The durable rev and the life of a thread (null when missing). */
  durableHead(key: ThreadKey): PointedThread | null {
    this.#assertReadable(key);
    const journal = this.#journals.get(mapKey(key.namespace, key.threadId));
    return journal && journal.durableRev > 0 ? { rev: journal.durableRev, firstSeq: 0, life: journal.life } : null;
  }

  getThread(key: ThreadKey): ThreadHead | null {
    const journal = this.#visible(key);
    return journal ? journal.head() : null;
  }

  async readEntries(key: ThreadKey, fromSeq: number, limit: number): Promise<Entry[]> {
    const journal = this.#visible(key);
    if (!journal) return [];
    const rev = journal.durableRev;
    if (fromSeq >= rev) return [];
    return (await journal.read(fromSeq, Math.min(limit, rev - fromSeq))) ?? [];
  }

  async readTail(key: ThreadKey, limit: number): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
    const journal = this.#visible(key);
    if (!journal) return { thread: null, entries: [] };
    const thread = journal.head();
    const count = Math.min(limit, thread.rev);
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
      const existed = journal.durableRev > 0;
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
      if (journal && journal.durableRev > 0) items.push(journal.head());
    }
    return { items, hasMore: ids.length > first };
  }

  /** The namespaces holding at least one thread. */
  namespaces(): string[] {
    return this.#sorted.namespaces();
  }

  /** Waits until no append of any thread is still being flushed. */
  async idle(): Promise<void> {
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
    return journal && journal.durableRev > 0 ? journal : null;
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
