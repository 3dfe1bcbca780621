import { randomUUID } from 'node:crypto';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  getCheckpointId,
  type PendingWrite,
  type SerializerProtocol,
  WRITES_IDX_MAP,
} from '@langchain/langgraph-checkpoint';
import type { CryoClient } from '../client/cryo-client.js';
import type { HeadersOption } from '../client/http.js';
import { checkpointEntry, storedHeader } from './checkpoint-entry.js';
import { encodeValue } from './codec.js';
import { type BlobRef, checkpointEntryId, checkpointPayload, isCheckpointEntry, type JournalEntry, type WritesPayload } from './entries.js';
import { CryoSaverConflictError, CryoSaverError } from './errors.js';
import { Journal, PAGE } from './journal.js';
import { RunScanner } from './run-scanner.js';
import { RunLocks, type RunView, SeqCache } from './run-state.js';
import { SaverAppendDocument, SaverDeleteDocument, SaverPutDocument } from './gql/graphql.js';
import { pinRev, pinWrite, repin } from './pin.js';
import { Locator } from './locator.js';
import { saverClient } from './saver-client.js';
import {
  INDEX_AGENT_TYPE,
  indexId,
  LATEST_AGENT_TYPE,
  runKey,
  RUN_KIND,
  threadPrefix,
  validatePrefix,
  WRITES_KIND,
} from './thread-key.js';
import { type Run, TupleBuilder } from './tuple-builder.js';

/** Options of {@link CryoSaver}. */
export interface CryoSaverOptions {
  /** The Cryo GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** Bearer token sent as `authorization` (for servers that check credentials). */
  token?: string;
  /** Other headers for every request (a function is called per request). */
  headers?: HeadersOption;
  /**
   * Fencing: every write names the journal rev and latest-checkpoint rev this saver last saw, so
   * a second process writing the same run makes the stale one fail with CryoSaverConflictError
   * instead of interleaving histories. @default false (writes re-read and retry)
   */
  fence?: boolean;
  /** First part of every Cryo id the saver uses (`[A-Za-z0-9_.-]`, ≤ 64). @default "langgraph" */
  prefix?: string;
  /** LangGraph serializer. @default JsonPlusSerializer */
  serde?: SerializerProtocol;
  /** fetch for the saver's requests. @default a keep-alive node:http fetch (see http-fetch.ts) */
  fetch?: typeof fetch;
  /** A client to use instead of one built from url/token/headers/fetch (its lifetime stays the caller's). */
  client?: CryoClient;
}

const MAX_ATTEMPTS = 8;

/** A run's first entry (seq 0): who the run is. */
function runHeader(run: Run): { id: string; kind: string; payload: Record<string, unknown> } {
  return { id: 'run', kind: RUN_KIND, payload: { thread_id: run.threadId, checkpoint_ns: run.checkpointNs } };
}
/** Entries read with a checkpoint found by id: itself and the start of its segment (a step's writes). */
const BY_ID_WINDOW = 8;

/**
 * A LangGraph.js checkpoint saver that keeps runs in a Cryo server. Each (thread_id,
 * checkpoint_ns) is one Cryo thread whose entries are the run's checkpoints
 * (`langgraph.checkpoint`) and writes (`langgraph.writes`); the latest checkpoint is also the Cryo
 * checkpoint (`langgraph`, key) pointing at that journal; each checkpoint has an index record
 * (`langgraph.checkpoint`, key:id) holding its seq. getTuple reads a bounded number of entries,
 * whatever the run's length. See src/langgraph/README.md for the layout and what is NOT promised.
 */
export class CryoSaver extends BaseCheckpointSaver {
  private readonly client: CryoClient;
  private readonly ownedClient: { close(): Promise<void> } | undefined;
  private readonly journal: Journal;
  private readonly builder: TupleBuilder;
  private readonly locator: Locator;
  private readonly scanner: RunScanner;
  private readonly fence: boolean;
  private readonly prefix: string;
  private readonly views = new Map<string, RunView>();
  private readonly locks = new RunLocks();
  private readonly seqs = new SeqCache();

  constructor(options: CryoSaverOptions) {
    super(options.serde);
    this.prefix = validatePrefix(options.prefix ?? 'langgraph');
    this.fence = options.fence ?? false;
    const { client, close } = saverClient(options);
    this.client = client;
    this.ownedClient = close ? { close } : undefined;
    this.journal = new Journal(this.client);
    this.builder = new TupleBuilder(this.journal, this.serde, (current) => this.getNextVersion(current));
    this.locator = new Locator(this.journal, this.client, this.seqs);
    this.scanner = new RunScanner(this.journal, this.builder, this.prefix, (run: Run, parentId: string) => this.writesById(run, parentId));
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const run = this.runOf(config, false);
    if (!run) return undefined;
    const checkpointId = getCheckpointId(config);
    if (checkpointId) return this.loadById(run, checkpointId);
    const head = await this.journal.head(run.key);
    if (!head.latest) return undefined;
    this.remember(run.key, head);
    const inTail = head.tail.findIndex((entry) => entry.seq === head.latest?.seq);
    if (inTail >= 0 && head.tail[inTail]?.id === checkpointEntryId(head.latest.id)) {
      const window = head.tail.slice(inTail);
      return this.buildFrom(run, window, false, []);
    }
    return this.loadById(run, head.latest.id);
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let remaining = options.limit ?? Number.POSITIVE_INFINITY;
    const beforeId = before ? getCheckpointId(before) : undefined;
    const onlyId = config.configurable?.checkpoint_id as string | undefined;
    for await (const run of this.scanner.runs(config)) {
      if (remaining <= 0) return;
      for await (const tuple of this.scanner.checkpoints(run)) {
        const id = tuple.checkpoint.id;
        if (onlyId && id !== onlyId) continue;
        if (beforeId && !(id < beforeId)) continue;
        const metadata = (tuple.metadata ?? {}) as Record<string, unknown>;
        if (filter && !Object.entries(filter).every(([key, value]) => metadata[key] === value)) continue;
        yield tuple;
        remaining -= 1;
        if (remaining <= 0) return;
      }
    }
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    const run = this.runOf(config, true, 'put checkpoint');
    const parentId = (config.configurable?.checkpoint_id as string | undefined) || null;
    const stored = await storedHeader(this.serde, checkpoint, metadata);
    await this.locks.run(run.key, async () => {
      for (let attempt = 1; ; attempt += 1) {
        const view = await this.view(run);
        // A new run starts with its header entry, so no checkpoint is at seq 0 and a pin (rev ≥ 1) covers all.
        const fresh = view.rev === 0;
        const seq = fresh ? 1 : view.rev;
        const parentBlobs = parentId ? await this.blobsOf(run, parentId, view) : {};
        const { entry, blobs } = await checkpointEntry(this.serde, { checkpoint, parentId, parentBlobs, newVersions, seq, stored });
        const pinned = await this.pinFor(run, view, seq, blobs, parentId ? { id: parentId, blobs: parentBlobs } : undefined);
        const pin = pinWrite(run.key, checkpoint.id, pinned, view);
        const result = await this.client.request(SaverPutDocument, {
          checkpoint: {
            agentType: LATEST_AGENT_TYPE,
            agentId: run.key,
            state: { latest: { id: checkpoint.id, seq } },
            thread: {
              id: run.key,
              rev: seq + 1,
              metadata: { langgraph: { thread_id: run.threadId, checkpoint_ns: run.checkpointNs } },
              entries: fresh ? [runHeader(run), entry] : [entry],
            },
            ...(this.fence ? { expectedRev: view.checkpointRev } : {}),
          },
          index: { agentType: INDEX_AGENT_TYPE, agentId: indexId(run.key, checkpoint.id), state: { seq } },
          pin: pin.input,
        });
        const saved = result.hibernate;
        if (saved.__typename === 'HibernateSuccess') {
          const pinNow =
            result.pin.__typename === 'PutCheckpointSuccess'
              ? { pinRev: result.pin.checkpoint.rev, pin: pin.holds }
              : await repin(this.client, this.journal, { key: run.key, checkpointId: checkpoint.id, rev: pinned }, result.pin);
          this.views.set(run.key, { rev: seq + 1, checkpointRev: saved.checkpoint.rev, ...pinNow, latest: { id: checkpoint.id, seq, blobs } });
          this.seqs.set(run.key, checkpoint.id, seq);
          return;
        }
        if (saved.__typename === 'ValidationError') throw new CryoSaverError(`Cryo refused the checkpoint: ${saved.message}`, saved.__typename);
        this.conflict(run, attempt, `${saved.__typename}: ${saved.message}`);
      }
    });
    return { configurable: { thread_id: run.threadId, checkpoint_ns: run.checkpointNs, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const run = this.runOf(config, true, 'put writes');
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    if (!checkpointId) throw new CryoSaverError('Failed to put writes: config.configurable.checkpoint_id is missing', 'VALIDATION');
    const stored: WritesPayload['writes'] = await Promise.all(
      writes.map(async ([channel, value], idx): Promise<WritesPayload['writes'][number]> => [
        WRITES_IDX_MAP[channel] ?? idx,
        channel,
        await encodeValue(this.serde, value),
      ]),
    );
    const payload: WritesPayload = { checkpointId, taskId, ...(taskPath ? { taskPath } : {}), writes: stored };
    const entry = { id: `w:${randomUUID()}`, kind: WRITES_KIND, payload: payload as unknown as Record<string, unknown> };
    await this.locks.run(run.key, async () => {
      for (let attempt = 1; ; attempt += 1) {
        const view = await this.view(run);
        const result = (await this.client.request(SaverAppendDocument, { input: { threadId: run.key, expectedRev: view.rev, entries: [entry] } })).appendEntries;
        if (result.__typename === 'AppendEntriesSuccess') {
          view.rev = result.thread.rev;
          const seq = result.entries[0]?.seq ?? view.rev - 1;
          if (view.latest?.id !== checkpointId) await this.locator.addLate(run, checkpointId, seq);
          return;
        }
        if (result.__typename === 'ValidationError') throw new CryoSaverError(`Cryo refused the writes: ${result.message}`, result.__typename);
        this.conflict(run, attempt, `${result.message}`);
      }
    });
  }

  async deleteThread(threadId: string): Promise<void> {
    for await (const key of this.journal.threadIds(threadPrefix(this.prefix, threadId))) {
      const ids: string[] = [];
      let beforeSeq: number | undefined;
      for (;;) {
        const page = await this.journal.before(key, beforeSeq);
        for (const entry of page.entries) if (isCheckpointEntry(entry)) ids.push(checkpointPayload(entry).checkpointId);
        const first = page.entries[0];
        if (!page.more || !first) break;
        beforeSeq = first.seq;
      }
      await this.client.request(SaverDeleteDocument, { threadId: key, key });
      this.views.delete(key);
      this.seqs.forget(key);
      await this.locator.deleteIndexes(key, ids);
    }
  }

  /** Closes the client the saver built (not one passed in `client`). Idempotent. */
  async close(): Promise<void> {
    await this.ownedClient?.close();
  }

  private runOf(config: RunnableConfig, required: true, what: string): Run;
  private runOf(config: RunnableConfig, required: false): Run | undefined;
  private runOf(config: RunnableConfig, required: boolean, what = ''): Run | undefined {
    const threadId = config.configurable?.thread_id as unknown;
    if (threadId === undefined || threadId === null || threadId === '') {
      if (required) throw new CryoSaverError(`Failed to ${what}: config.configurable.thread_id is missing`, 'VALIDATION');
      return undefined;
    }
    const checkpointNs = String(config.configurable?.checkpoint_ns ?? '');
    return { key: runKey(this.prefix, String(threadId), checkpointNs), threadId: String(threadId), checkpointNs };
  }

  private async loadById(run: Run, checkpointId: string): Promise<CheckpointTuple | undefined> {
    const found = await this.locator.locate(run, checkpointId, BY_ID_WINDOW, this.holderOf(run, checkpointId, BY_ID_WINDOW));
    if (!found) return undefined;
    return this.buildFrom(run, found.window, found.more, found.late, found.holder ? [found.holder] : []);
  }

  /**
   * When `checkpointId` is the run's latest as this saver knows it (its own put, usually), the
   * lowest entry outside a `count`-entry window from it that holds one of its channel values: read
   * with the checkpoint, it saves getTuple a round trip (bench/README.md, LangGraph). Only a hint:
   * the checkpoint's entry as read decides which entries it needs.
   */
  private holderOf(run: Run, checkpointId: string, count: number): number | undefined {
    const latest = this.views.get(run.key)?.latest;
    if (latest?.id !== checkpointId || !latest.blobs) return undefined;
    const outside = Object.values(latest.blobs).map(([, seq]) => seq).filter((seq) => seq < latest.seq || seq >= latest.seq + count);
    return outside.length > 0 ? Math.min(...outside) : undefined;
  }

  private async buildFrom(run: Run, window: JournalEntry[], more: boolean, late: readonly number[], extra: readonly JournalEntry[] = []): Promise<CheckpointTuple | undefined> {
    const entry = window[0] as JournalEntry;
    const writes = await this.builder.writesOf(run, window, more, late);
    const known = new Map([...extra, ...window].map((item) => [item.seq, item]));
    return this.builder.build(run, entry, writes, known, (parentId) => this.writesById(run, parentId));
  }

  private async writesById(run: Run, checkpointId: string): Promise<JournalEntry[]> {
    const found = await this.locator.locate(run, checkpointId, PAGE);
    return found ? this.builder.writesOf(run, found.window, found.more, found.late) : [];
  }

  /**
   * The pin's rev for a put at `seq` with `blobs` (see pin.ts). The latest's blobs: the parent's
   * when the latest is the parent (already read for the put), else from the local view or read.
   */
  private async pinFor(
    run: Run,
    view: RunView,
    seq: number,
    blobs: Record<string, BlobRef>,
    parent?: { id: string; blobs: Record<string, BlobRef> },
  ): Promise<number> {
    const latestBlobs = async (id: string) => (parent?.id === id ? parent.blobs : this.blobsOf(run, id, view));
    const latest = view.latest && { seq: view.latest.seq, blobs: await latestBlobs(view.latest.id) };
    return pinRev({ seq, blobs }, latest);
  }

  /** Channel → [version, seq] of a parent checkpoint (from the local view when it is the latest). */
  private async blobsOf(run: Run, parentId: string, view: RunView): Promise<Record<string, BlobRef>> {
    if (view.latest?.id === parentId && view.latest.blobs) return view.latest.blobs;
    const found = await this.locator.locate(run, parentId, 1);
    return found?.window[0] ? checkpointPayload(found.window[0]).blobs : {};
  }

  /** The local view of a run (its journal rev and latest checkpoint), read from the server once. */
  private async view(run: Run): Promise<RunView> {
    const known = this.views.get(run.key);
    if (known) return known;
    return this.remember(run.key, await this.journal.head(run.key));
  }

  private remember(key: string, head: Awaited<ReturnType<Journal['head']>>): RunView {
    const latestEntry = head.latest ? head.tail.find((entry) => entry.seq === head.latest?.seq && isCheckpointEntry(entry)) : undefined;
    const view: RunView = {
      rev: head.threadRev,
      checkpointRev: head.checkpointRev,
      pinRev: head.pinRev,
      ...(head.pin ? { pin: head.pin } : {}),
      ...(head.latest ? { latest: { id: head.latest.id, seq: head.latest.seq, ...(latestEntry ? { blobs: checkpointPayload(latestEntry).blobs } : {}) } } : {}),
    };
    this.views.set(key, view);
    if (head.latest) this.seqs.set(key, head.latest.id, head.latest.seq);
    return view;
  }

  /** A write met another writer's: with fencing, a typed conflict; without, re-read and retry. */
  private conflict(run: Run, attempt: number, detail: string): void {
    if (this.fence) {
      // The view stays stale on purpose: every write conflicts until getTuple re-reads the run.
      throw new CryoSaverConflictError(
        `Another writer changed LangGraph thread ${JSON.stringify(run.threadId)} (namespace ${JSON.stringify(run.checkpointNs)}) since this saver last read it (${detail}); nothing was written`,
        run.threadId,
        run.checkpointNs,
      );
    }
    this.views.delete(run.key);
    if (attempt >= MAX_ATTEMPTS) throw new CryoSaverError(`Gave up after ${attempt} conflicting writes on ${run.key}: ${detail}`, 'CONFLICT');
  }
}
