/**
 * How a LangGraph run maps onto Cryo ids. One (thread_id, checkpoint_ns) is one Cryo thread whose
 * id is the run's key:
 *
 *     <prefix>:<encodeURIComponent(thread_id)>:<encodeURIComponent(checkpoint_ns)>
 *
 * e.g. `langgraph:t-1:` for thread `t-1`'s root namespace. encodeURIComponent never emits `:`,
 * so the mapping is injective and every namespace of one thread_id shares the prefix
 * `<prefix>:<thread_id>:`, which a thread listing can seek to. The same key is the agentId of
 * the run's latest checkpoint (agentType `langgraph`); `<key>:<checkpoint_id>` is the agentId of
 * one LangGraph checkpoint's index record (agentType `langgraph.checkpoint`).
 */

/** agentType of the Cryo checkpoint that points at a run's latest LangGraph checkpoint. */
export const LATEST_AGENT_TYPE = 'langgraph';
/** agentType of the per-checkpoint index records (where a checkpoint sits in the journal). */
export const INDEX_AGENT_TYPE = 'langgraph.checkpoint';
/**
 * agentType of a run's pin: a Cryo checkpoint whose pointer rev is the lowest seq the latest
 * checkpoints read (their entries and the entries holding their carried-over channel values),
 * so that no trim or retention policy drops them (docs/architecture.md, "Retention").
 */
export const PIN_AGENT_TYPE = 'langgraph.pin';
/** Entry kind of a run's first entry (seq 0): who the run is. No checkpoint is ever at seq 0, so a pin (rev ≥ 1) covers every one. */
export const RUN_KIND = 'langgraph.run';
/** Entry kind of a LangGraph checkpoint in the journal. */
export const CHECKPOINT_KIND = 'langgraph.checkpoint';
/** Entry kind of one putWrites call in the journal. */
export const WRITES_KIND = 'langgraph.writes';

const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a key prefix: 1..64 chars of `[A-Za-z0-9_.-]`. */
export function validatePrefix(prefix: string): string {
  if (!PREFIX.test(prefix)) throw new TypeError(`CryoSaver prefix must be 1..64 chars of [A-Za-z0-9_.-] (got ${JSON.stringify(prefix)})`);
  return prefix;
}

/** The Cryo thread id (and latest-checkpoint agentId) of one (thread_id, checkpoint_ns). */
export function runKey(prefix: string, threadId: string, checkpointNs: string): string {
  return `${threadPrefix(prefix, threadId)}${encodeURIComponent(checkpointNs)}`;
}

/** The common start of the keys of every namespace of one thread_id. */
export function threadPrefix(prefix: string, threadId: string): string {
  return `${prefix}:${encodeURIComponent(threadId)}:`;
}

/** The agentId of a LangGraph checkpoint's index record. */
export function indexId(key: string, checkpointId: string): string {
  return `${key}:${encodeURIComponent(checkpointId)}`;
}

/** The (thread_id, checkpoint_ns) a key names, or undefined when it is not a key under `prefix`. */
export function parseRunKey(prefix: string, key: string): { threadId: string; checkpointNs: string } | undefined {
  if (!key.startsWith(`${prefix}:`)) return undefined;
  const parts = key.slice(prefix.length + 1).split(':');
  if (parts.length !== 2) return undefined;
  try {
    return { threadId: decodeURIComponent(parts[0] ?? ''), checkpointNs: decodeURIComponent(parts[1] ?? '') };
  } catch {
    return undefined;
  }
}
