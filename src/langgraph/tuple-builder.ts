import type { RunnableConfig } from '@langchain/core/runnables';
import {
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  maxChannelVersion,
  type SerializerProtocol,
  TASKS,
} from '@langchain/langgraph-checkpoint';
import { decodeValue } from './codec.js';
import { checkpointPayload, foldWrites, isCheckpointEntry, isWritesEntry, type JournalEntry } from './entries.js';
import { type Journal, PAGE } from './journal.js';

/** A LangGraph run: its key (Cryo thread id) and its ids. */
export interface Run {
  key: string;
  threadId: string;
  checkpointNs: string;
}

/**
 * Turns journal entries back into LangGraph checkpoint tuples. Reads only what one checkpoint
 * needs: its entry, its segment (the writes entries after it, up to the next checkpoint entry),
 * its late writes, and the entries holding the channel values it did not change itself.
 */
export class TupleBuilder {
  constructor(
    private readonly journal: Journal,
    private readonly serde: SerializerProtocol,
    private readonly nextVersion: (current: number | undefined) => number,
  ) {}

  /**
   * The writes entries of the checkpoint whose entry is `window[0]`: the rest of its segment
   * (read further while the window ends inside it) plus the entries at `late`.
   */
  async writesOf(run: Run, window: JournalEntry[], windowHasMore: boolean, late: readonly number[] = []): Promise<JournalEntry[]> {
    const start = window[0];
    if (!start) return [];
    const writes: JournalEntry[] = [];
    let page = window.slice(1);
    let more = windowHasMore;
    let next = start.seq + 1;
    for (;;) {
      for (const entry of page) {
        if (isCheckpointEntry(entry)) return this.withLate(run, writes, late);
        if (isWritesEntry(entry)) writes.push(entry);
        next = entry.seq + 1;
      }
      if (!more) return this.withLate(run, writes, late);
      ({ entries: page, more } = await this.journal.from(run.key, next, PAGE));
      if (page.length === 0) return this.withLate(run, writes, late);
    }
  }

  private async withLate(run: Run, writes: JournalEntry[], late: readonly number[]): Promise<JournalEntry[]> {
    const seen = new Set(writes.map((entry) => entry.seq));
    const missing = late.filter((seq) => !seen.has(seq));
    if (missing.length === 0) return writes;
    const found = await this.journal.at(run.key, missing);
    return [...writes, ...found.values()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * The tuple of the checkpoint entry `entry`, given its writes entries. `known` entries are used
   * for channel values before reading any. `parentWrites` loads the parent's writes, needed only
   * to migrate the pending sends of a checkpoint older than format 4. Undefined when an entry
   * holding one of its channel values is gone (trimmed: an old checkpoint no pin holds any more),
   * so a checkpoint is never returned with values missing.
   */
  async build(
    run: Run,
    entry: JournalEntry,
    writes: readonly JournalEntry[],
    known: ReadonlyMap<number, JournalEntry>,
    parentWrites: (parentId: string) => Promise<JournalEntry[]>,
  ): Promise<CheckpointTuple | undefined> {
    const payload = checkpointPayload(entry);
    const channelValues = await this.channelValues(run, entry, known);
    if (!channelValues) return undefined;
    const stored = (await decodeValue(this.serde, payload.checkpoint)) as Omit<Checkpoint, 'channel_values'>;
    const metadata = (await decodeValue(this.serde, payload.metadata)) as CheckpointMetadata;
    const checkpoint: Checkpoint = { ...stored, channel_values: channelValues };
    if (checkpoint.v < 4 && payload.parentId) {
      await this.migratePendingSends(checkpoint, await parentWrites(payload.parentId), payload.parentId);
    }
    const pendingWrites: CheckpointPendingWrite[] = await Promise.all(
      foldWrites(writes, payload.checkpointId).map(
        async (write): Promise<CheckpointPendingWrite> => [write.taskId, write.channel, await decodeValue(this.serde, write.value)],
      ),
    );
    const tuple: CheckpointTuple = {
      config: this.configOf(run, payload.checkpointId),
      checkpoint,
      metadata,
      pendingWrites,
    };
    if (payload.parentId) tuple.parentConfig = this.configOf(run, payload.parentId);
    return tuple;
  }

  private configOf(run: Run, checkpointId: string): RunnableConfig {
    return { configurable: { thread_id: run.threadId, checkpoint_ns: run.checkpointNs, checkpoint_id: checkpointId } };
  }

  /** The checkpoint's channel values, or null when an entry holding one of them is gone. */
  private async channelValues(run: Run, entry: JournalEntry, known: ReadonlyMap<number, JournalEntry>): Promise<Record<string, unknown> | null> {
    const blobs = checkpointPayload(entry).blobs;
    const holders = new Map<number, JournalEntry>([[entry.seq, entry]]);
    const missing: number[] = [];
    for (const [, seq] of Object.values(blobs)) {
      const holder = known.get(seq);
      if (holder) holders.set(seq, holder);
      else if (!holders.has(seq)) missing.push(seq);
    }
    for (const [seq, holder] of await this.journal.at(run.key, missing)) holders.set(seq, holder);
    const values: Record<string, unknown> = {};
    for (const [channel, [, seq]] of Object.entries(blobs)) {
      const holder = holders.get(seq);
      if (!holder) return null;
      const value = isCheckpointEntry(holder) ? checkpointPayload(holder).values[channel] : undefined;
      if (value !== undefined) values[channel] = await decodeValue(this.serde, value);
    }
    return values;
  }

  private async migratePendingSends(checkpoint: Checkpoint, parentWrites: readonly JournalEntry[], parentId: string): Promise<void> {
    const sends = await Promise.all(
      foldWrites(parentWrites, parentId)
        .filter((write) => write.channel === TASKS)
        .map((write) => decodeValue(this.serde, write.value)),
    );
    checkpoint.channel_values[TASKS] = sends;
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : this.nextVersion(undefined);
  }
}
