import type { CryoClient } from '../client/cryo-client.js';
import type { BlobRef } from './entries.js';
import { SaverPutIndexDocument } from './gql/graphql.js';
import type { Journal } from './journal.js';
import type { PinState } from './pin-state.js';
import { PIN_AGENT_TYPE } from './thread-key.js';
import { CryoSaverError } from './errors.js';

/**
 * A run's pin (README "Retention: the pin"): a Cryo checkpoint (`langgraph.pin`, run key) whose
 * pointer rev is the lowest seq the latest checkpoints read, so that Cryo's checkpoint rule keeps
 * those entries through any trim or retention policy.
 */

/** A checkpoint as the pin sees it: its entry's seq and where its channel values live. */
export interface PinnedCheckpoint {
  seq: number;
  blobs: Record<string, BlobRef>;
}

const MAX_REPINS = 8;

/**
 * The pin's rev for a put of `next` while `latest` is the run's latest: the lowest seq either
 * reads (its own entry, every entry its blobs name). Keeping the latest's too means a put whose
 * hibernate fails (another writer won) never unpins what the actual latest reads; the pin trails
 * by one checkpoint. At least 1 (a pointer's rev is ≥ 1; new runs start with a header entry, so
 * only runs from before pins have a checkpoint at seq 0, which no pin can hold).
 */
export function pinRev(next: PinnedCheckpoint, latest?: PinnedCheckpoint): number {
  const lowest = (c: PinnedCheckpoint) => Math.min(c.seq, ...Object.values(c.blobs).map(([, holder]) => holder));
  return Math.max(1, latest ? Math.min(lowest(next), lowest(latest)) : lowest(next));
}

/** The putCheckpoint input of a run's pin, fenced by the pin's Cryo rev as last seen (0: must not exist). */
export function pinInput(key: string, checkpointId: string, rev: number, expectedRev: number) {
  return { agentType: PIN_AGENT_TYPE, agentId: key, state: { checkpointId }, thread: { id: key, rev }, expectedRev };
}

/**
 * The pin write of a put that pins `rev` for `checkpointId`, given the pin as this saver last saw
 * it (its Cryo rev, what it holds). When the pin moves: the new pin, fenced by that rev. When it
 * already holds `rev`: the replay of the stored pin's own put (expectedRev one below, the same
 * state and pointer), which Cryo checks against what is stored and answers with the stored pin,
 * writing nothing; if the pin changed meanwhile, that is a RevisionConflict as for a move (then
 * {@link repin}). Either way the pin is confirmed in the put's request; what differs is only that
 * an unchanged pin costs the store a read instead of a durable write (bench/README.md, LangGraph).
 * Returns the input and what the pin holds once it succeeds.
 */
export function pinWrite(
  key: string,
  checkpointId: string,
  rev: number,
  seen: { pinRev: number; pin?: PinState | undefined },
): { input: ReturnType<typeof pinInput>; holds: PinState } {
  if (seen.pin && seen.pin.at === rev && seen.pinRev >= 1) {
    return { input: pinInput(key, seen.pin.checkpointId, rev, seen.pinRev - 1), holds: seen.pin };
  }
  return { input: pinInput(key, checkpointId, rev, seen.pinRev), holds: { at: rev, checkpointId } };
}

/**
 * After a put whose hibernate succeeded but whose pin write did not: a stale pin rev (the pin was
 * written meanwhile by a put whose hibernate lost, or by another process) is re-read and the pin
 * written again; a pin below the thread's firstSeq (a run from before pins, trimmed past it: what
 * it would hold is gone) is left as it is. Returns the pin's Cryo rev and, when this call wrote
 * it, what it holds; throws CryoSaverError on anything else.
 */
export async function repin(
  client: CryoClient,
  journal: Journal,
  pin: { key: string; checkpointId: string; rev: number },
  first: { __typename: string; message?: string },
): Promise<{ pinRev: number; pin?: PinState }> {
  let failure = first;
  for (let attempt = 0; attempt < MAX_REPINS; attempt += 1) {
    if (failure.__typename === 'InvalidThreadPointer') return { pinRev: await journal.pinRev(pin.key) };
    if (failure.__typename !== 'RevisionConflict') break;
    const current = await journal.pinRev(pin.key);
    const result = (await client.request(SaverPutIndexDocument, { input: pinInput(pin.key, pin.checkpointId, pin.rev, current) })).putCheckpoint;
    if (result.__typename === 'PutCheckpointSuccess') return { pinRev: result.checkpoint.rev, pin: { at: pin.rev, checkpointId: pin.checkpointId } };
    failure = result;
  }
  throw new CryoSaverError(`Cryo refused the pin of ${pin.key}: ${failure.__typename}: ${failure.message ?? ''}`, failure.__typename);
}
