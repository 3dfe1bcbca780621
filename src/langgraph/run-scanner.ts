import type { RunnableConfig } from '@langchain/core/runnables';
import type { CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { checkpointPayload, isCheckpointEntry, isWritesEntry, type JournalEntry, type WritesPayload } from './entries.js';
import type { Journal } from './journal.js';
import { parseRunKey, runKey, threadPrefix } from './thread-key.js';
import type { Run, TupleBuilder } from './tuple-builder.js';

/**
 * What `list` reads: the runs a config names (found by seeking the thread list to their common
 * key prefix) and each run's checkpoints, newest first, rebuilt while its journal is read
 * backwards. Later writes of a checkpoint (its segment and late writes) are met before it.
 */
export class RunScanner {
  constructor(
    private readonly journal: Journal,
    private readonly builder: TupleBuilder,
    private readonly prefix: string,
    private readonly writesById: (run: Run, checkpointId: string) => Promise<JournalEntry[]>,
  ) {}

  /** The runs a list config names: one run, every namespace of a thread_id, or every run under the prefix. */
  async *runs(config: RunnableConfig): AsyncGenerator<Run> {
    const threadId = config.configurable?.thread_id as string | undefined;
    const checkpointNs = config.configurable?.checkpoint_ns as string | undefined;
    if (threadId !== undefined && checkpointNs !== undefined) {
      yield { key: runKey(this.prefix, String(threadId), checkpointNs), threadId: String(threadId), checkpointNs };
      return;
    }
    const prefix = threadId === undefined ? `${this.prefix}:` : threadPrefix(this.prefix, String(threadId));
    for await (const key of this.journal.threadIds(prefix)) {
      const parsed = parseRunKey(this.prefix, key);
      if (parsed && (checkpointNs === undefined || parsed.checkpointNs === checkpointNs)) yield { key, ...parsed };
    }
  }

  /** Every checkpoint of a run, newest (highest seq) first, each with its writes (read backwards, a page at a time). */
  async *checkpoints(run: Run): AsyncGenerator<CheckpointTuple> {
    const writesById = new Map<string, JournalEntry[]>();
    const known = new Map<number, JournalEntry>();
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await this.journal.before(run.key, beforeSeq);
      for (const entry of page.entries) known.set(entry.seq, entry);
      for (const entry of [...page.entries].reverse()) {
        if (isWritesEntry(entry)) {
          const id = (entry.payload as unknown as WritesPayload).checkpointId;
          writesById.set(id, [entry, ...(writesById.get(id) ?? [])]);
        } else if (isCheckpointEntry(entry)) {
          const id = checkpointPayload(entry).checkpointId;
          const tuple = await this.builder.build(run, entry, writesById.get(id) ?? [], known, (parentId) => this.writesById(run, parentId));
          if (tuple) yield tuple;
        }
      }
      const first = page.entries[0];
      if (!page.more || !first) return;
      beforeSeq = first.seq;
    }
  }
}
