import type { CryoClient } from '../client/cryo-client.js';
import { afterSeq } from './cursors.js';
import { checkpointEntryId, type IndexState, type JournalEntry } from './entries.js';
import { SaverLocateDocument, SaverPutIndexDocument } from './gql/graphql.js';
import type { Journal } from './journal.js';
import type { SeqCache } from './run-state.js';
import { INDEX_AGENT_TYPE, indexId } from './thread-key.js';
import type { Run } from './tuple-builder.js';

/** A checkpoint found in the journal: its entry first, then up to `count - 1` entries after it. */
export interface Located {
  window: JournalEntry[];
  more: boolean;
  late: number[];
  /** The entry at the `holderSeq` asked for, read in the same request (absent when not asked, not read or gone). */
  holder?: JournalEntry;
}

const DELETE_CONCURRENCY = 8;

/**
 * Finds a LangGraph checkpoint by id through its index record (agentType `langgraph.checkpoint`):
 * one request when the seq is cached locally (index and entries read together), two otherwise.
 * The index only names a seq; the entry found there must carry the checkpoint's id, so a stale or
 * orphaned record (a failed put, a deleted and re-created thread) reads as "not found".
 */
export class Locator {
  constructor(
    private readonly journal: Journal,
    private readonly client: CryoClient,
    private readonly seqs: SeqCache,
  ) {}

  /**
   * The checkpoint's entry and up to `count - 1` entries after it. `holderSeq`: an entry the caller
   * will read too (an older entry holding channel values it expects the checkpoint to name), read
   * in the same request when the seq is cached; it is only an entry at that seq, checked by its
   * reader like any other.
   */
  async locate(run: Run, checkpointId: string, count: number, holderSeq?: number): Promise<Located | undefined> {
    const name = indexId(run.key, checkpointId);
    const guess = this.seqs.get(run.key, checkpointId);
    let index: IndexState | undefined;
    let window: JournalEntry[] = [];
    let more = false;
    let holder: JournalEntry | undefined;
    if (guess !== undefined) {
      const data = await this.client.request(SaverLocateDocument, {
        threadId: run.key,
        indexId: name,
        first: count,
        after: afterSeq(guess),
        withHolder: holderSeq !== undefined,
        holderAfter: holderSeq === undefined ? null : afterSeq(holderSeq),
      });
      index = data.checkpoint?.state as unknown as IndexState | undefined;
      const read = data.holder?.entries.edges[0]?.node;
      if (read && read.seq === holderSeq) holder = read;
      if (index?.seq === guess && data.thread) {
        window = data.thread.entries.edges.map((edge) => edge.node);
        more = data.thread.entries.pageInfo.hasNextPage;
      }
    } else {
      index = (await this.journal.index(name))?.state;
    }
    if (!index) return undefined;
    if (window[0]?.seq !== index.seq) ({ entries: window, more } = await this.journal.from(run.key, index.seq, count));
    const entry = window[0];
    if (!entry || entry.seq !== index.seq || entry.id !== checkpointEntryId(checkpointId)) return undefined;
    this.seqs.set(run.key, checkpointId, index.seq);
    return { window, more, late: index.late ?? [], ...(holder ? { holder } : {}) };
  }

  /**
   * Records a writes entry appended for a checkpoint that is not the run's latest (so outside its
   * segment) in the checkpoint's index record, fenced by the record's rev. No record: nothing to do
   * (LangGraph wrote to a checkpoint this saver never stored; the entry stays in the journal).
   */
  async addLate(run: Run, checkpointId: string, seq: number): Promise<void> {
    const name = indexId(run.key, checkpointId);
    for (let attempt = 0; attempt < 16; attempt += 1) {
      const record = await this.journal.index(name);
      if (!record) return;
      const state: IndexState = { seq: record.state.seq, late: [...(record.state.late ?? []), seq] };
      const result = await this.client.request(SaverPutIndexDocument, {
        input: { agentType: INDEX_AGENT_TYPE, agentId: name, state: state as unknown as Record<string, unknown>, expectedRev: record.rev },
      });
      if (result.putCheckpoint.__typename === 'PutCheckpointSuccess') return;
      if (result.putCheckpoint.__typename !== 'RevisionConflict') throw new Error(`Cryo refused the index of ${checkpointId}: ${result.putCheckpoint.message}`);
    }
    throw new Error(`Could not record a late write of ${checkpointId}: its index kept changing`);
  }

  /** Deletes the index records of these checkpoints of a run, a few at a time. */
  async deleteIndexes(key: string, checkpointIds: readonly string[]): Promise<void> {
    const queue = [...new Set(checkpointIds)];
    const worker = async () => {
      for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
        await this.client.deleteCheckpoint({ agentType: INDEX_AGENT_TYPE, agentId: indexId(key, id) });
      }
    };
    await Promise.all(Array.from({ length: DELETE_CONCURRENCY }, worker));
  }
}
