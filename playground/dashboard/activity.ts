import type { CryoClient } from '../../src/client/cryo-client.js';
import type { TypedDocument } from '../../src/client/http.js';

/** The window the activity strips cover, and their resolution. */
export const MINUTES = 60;
const WINDOW_MS = MINUTES * 60_000;
/** The most entries read per thread per update (the API's page limit is 500). */
const MAX_READ = 500;

/** One minute of a strip: its start (ms) and how many entries of each kind it saw. */
export interface Minute {
  start: number;
  total: number;
  byKind: Map<string, number>;
}

interface Track {
  /** The next seq not yet counted. */
  next: number;
  createdAt: string | null;
  stamps: { t: number; kind: string }[];
  /** Entries before this time may be missing (more than MAX_READ arrived between two updates). */
  partialBefore: number;
}

/** A page's worth of (at, kind) of a thread's newest entries: all a strip needs. */
const ActivityDocument = {
  toString: () =>
    'query ThreadActivity($id: ID!, $last: Int) { thread(id: $id) { rev createdAt entries(last: $last) { edges { node { seq at kind } } } } }',
} as TypedDocument<
  { thread: { rev: number; createdAt: string; entries: { edges: { node: { seq: number; at: string; kind: string } }[] } } | null },
  { id: string; last: number }
>;

/**
 * Entries per minute over the last hour, by kind, per thread: fed by the open journal's stream
 * (record) and, for the threads listed, by reading only the entries appended since the last
 * update (update). Counts by each entry's `at`. When more than 500 entries arrived between two
 * updates it counts the newest 500 (the strip then says "at least").
 */
export class ActivityTracker {
  #tracks = new Map<string, Track>();

  /** Counts entries the page received (seqs already counted are skipped). */
  record(threadId: string, entries: readonly { seq: number; at: string; kind: string }[]): void {
    const track = this.#track(threadId);
    const first = entries.find((entry) => entry.seq >= track.next);
    if (first && first.seq > track.next) track.partialBefore = Math.max(track.partialBefore, Date.parse(first.at));
    for (const entry of entries) {
      if (entry.seq < track.next) continue;
      track.next = entry.seq + 1;
      track.stamps.push({ t: Date.parse(entry.at), kind: entry.kind });
    }
    this.#prune(track);
  }

  /** Reads what is new for each listed thread active within the hour. Failures are left to the next update. */
  async update(client: CryoClient, threads: readonly { id: string; rev: number; updatedAt: string; createdAt: string }[]): Promise<void> {
    const since = Date.now() - WINDOW_MS;
    await Promise.all(
      threads.map(async (thread) => {
        let track = this.#track(thread.id);
        if (track.createdAt !== null && track.createdAt !== thread.createdAt) {
          this.#tracks.delete(thread.id);
          track = this.#track(thread.id);
        }
        track.createdAt = thread.createdAt;
        if (Date.parse(thread.updatedAt) < since || thread.rev <= track.next) return;
        const last = Math.min(MAX_READ, thread.rev - track.next);
        const data = await client.request(ActivityDocument, { id: thread.id, last }).catch(() => null);
        const nodes = data?.thread?.entries.edges.map((edge) => edge.node) ?? [];
        this.record(thread.id, nodes);
      }),
    );
  }

  /** The last MINUTES minutes of a thread, oldest first (all zero when nothing is known). */
  minutes(threadId: string, now = Date.now()): Minute[] {
    const end = Math.floor(now / 60_000) * 60_000 + 60_000;
    const minutes: Minute[] = Array.from({ length: MINUTES }, (_, i) => ({ start: end - (MINUTES - i) * 60_000, total: 0, byKind: new Map() }));
    for (const stamp of this.#tracks.get(threadId)?.stamps ?? []) {
      const index = Math.floor((stamp.t - (end - WINDOW_MS)) / 60_000);
      const minute = minutes[index];
      if (!minute) continue;
      minute.total++;
      minute.byKind.set(stamp.kind, (minute.byKind.get(stamp.kind) ?? 0) + 1);
    }
    return minutes;
  }

  /** Whether the counts of a thread may be short (see update). */
  partial(threadId: string, now = Date.now()): boolean {
    return (this.#tracks.get(threadId)?.partialBefore ?? 0) > now - WINDOW_MS;
  }

  #track(threadId: string): Track {
    let track = this.#tracks.get(threadId);
    if (!track) {
      track = { next: 0, createdAt: null, stamps: [], partialBefore: 0 };
      this.#tracks.set(threadId, track);
    }
    return track;
  }

  #prune(track: Track): void {
    const since = Date.now() - WINDOW_MS - 60_000;
    if (track.stamps.length > 0 && track.stamps[0]!.t < since) track.stamps = track.stamps.filter((stamp) => stamp.t >= since);
  }
}
