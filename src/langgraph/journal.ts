import type { CryoClient } from '../client/cryo-client.js';
import { afterSeq, beforeSeq, threadsFrom } from './cursors.js';
import type { IndexState, JournalEntry, LatestState } from './entries.js';
import { type PinState, pinState } from './pin-state.js';
import {
  SaverEntriesBeforeDocument,
  SaverEntriesDocument,
  SaverHeadDocument,
  SaverIndexDocument,
  SaverPinRevDocument,
  SaverThreadsDocument,
  type SaverThreadsQuery,
} from './gql/graphql.js';

/** Entries fetched with the latest checkpoint: enough for a step's checkpoint and its writes. */
export const HEAD_TAIL = 32;
/** Page size of journal reads. */
export const PAGE = 100;

/** What one head read returns: the latest pointer (and its Cryo rev), the pin, the thread's rev, the tail. */
export interface Head {
  latest: LatestState['latest'] | undefined;
  checkpointRev: number;
  /** The run's pin's Cryo checkpoint rev (0: none). */
  pinRev: number;
  /** What the pin holds (undefined: no pin, or one not written by a saver). */
  pin: PinState | undefined;
  threadRev: number;
  tail: JournalEntry[];
}

/** Reads of a run's journal, its latest pointer and its index records, through the typed client. */
export class Journal {
  constructor(private readonly client: CryoClient) {}

  /** The latest pointer and the last HEAD_TAIL entries, in one request. */
  async head(key: string): Promise<Head> {
    const data = await this.client.request(SaverHeadDocument, { key, threadId: key, tail: HEAD_TAIL });
    const state = data.checkpoint?.state as Partial<LatestState> | undefined;
    return {
      latest: state?.latest,
      checkpointRev: data.checkpoint?.rev ?? 0,
      pinRev: data.pin?.rev ?? 0,
      pin: pinState(data.pin),
      threadRev: data.thread?.rev ?? 0,
      tail: data.thread?.entries.edges.map((edge) => edge.node) ?? [],
    };
  }

  /** The Cryo rev of the run's pin (0: none). */
  async pinRev(key: string): Promise<number> {
    return (await this.client.request(SaverPinRevDocument, { key })).checkpoint?.rev ?? 0;
  }

  /** A checkpoint's index record, or undefined. */
  async index(indexId: string): Promise<{ state: IndexState; rev: number } | undefined> {
    const data = await this.client.request(SaverIndexDocument, { indexId });
    if (!data.checkpoint) return undefined;
    return { state: data.checkpoint.state as unknown as IndexState, rev: data.checkpoint.rev };
  }

  /** Up to `count` entries from `seq` on, and whether more follow. */
  async from(key: string, seq: number, count: number): Promise<{ entries: JournalEntry[]; more: boolean }> {
    const data = await this.client.request(SaverEntriesDocument, { threadId: key, first: count, after: afterSeq(seq) });
    if (!data.thread) return { entries: [], more: false };
    return { entries: data.thread.entries.edges.map((edge) => edge.node), more: data.thread.entries.pageInfo.hasNextPage };
  }

  /** The page of up to PAGE entries ending just before `seq` (undefined: the tail), and whether older ones exist. */
  async before(key: string, seq: number | undefined): Promise<{ entries: JournalEntry[]; more: boolean }> {
    const data = await this.client.request(SaverEntriesBeforeDocument, {
      threadId: key,
      last: PAGE,
      before: seq === undefined ? null : beforeSeq(seq),
    });
    if (!data.thread) return { entries: [], more: false };
    return { entries: data.thread.entries.edges.map((edge) => edge.node), more: data.thread.entries.pageInfo.hasPreviousPage };
  }

  /** The entries at these seqs (missing ones are absent from the map), one small read per seq, in parallel. */
  async at(key: string, seqs: Iterable<number>): Promise<Map<number, JournalEntry>> {
    const found = new Map<number, JournalEntry>();
    await Promise.all(
      [...new Set(seqs)].map(async (seq) => {
        const { entries } = await this.from(key, seq, 1);
        const entry = entries[0];
        if (entry && entry.seq === seq) found.set(seq, entry);
      }),
    );
    return found;
  }

  /** Every thread id starting with `prefix` (which ends with `:`), in id order. */
  async *threadIds(prefix: string): AsyncGenerator<string> {
    let after: string | null = threadsFrom(prefix);
    for (;;) {
      const data: SaverThreadsQuery = await this.client.request(SaverThreadsDocument, { first: PAGE, after });
      for (const { node } of data.threads.edges) {
        if (node.id.startsWith(prefix)) yield node.id;
        else if (node.id > prefix) return;
      }
      if (!data.threads.pageInfo.hasNextPage || !data.threads.pageInfo.endCursor) return;
      after = data.threads.pageInfo.endCursor;
    }
  }
}
