import { InvalidThreadPointer, RevisionConflict, ValidationError } from './errors.js';
import type { JsonObject } from './json.js';
import { MAX_REV, type Limits } from './limits.js';
import type { AgentKey, Checkpoint, ThreadPointer } from './types.js';
import { requireInput, validateExpectedRev, validateId, validateJsonObject, validateRev } from './validate.js';

/** Raw put-checkpoint arguments, as a caller sends them. */
export interface PutCheckpointRequest extends AgentKey {
  namespace?: string;
  state: JsonObject;
  /** The state's schema version; default 1. */
  version?: number | null;
  /** Pointer into the agent's journal, or null/absent for none. */
  thread?: ThreadPointer | null;
  /** Omitted: unconditional; 0: must not exist; n: the checkpoint's rev must be n. */
  expectedRev?: number | null;
}

/** A put whose input passed every check. */
export interface PreparedCheckpoint extends AgentKey {
  namespace: string;
  state: JsonObject;
  version: number;
  thread: ThreadPointer | null;
  expectedRev: number | undefined;
}

/** Validates a put against the limits and fills in defaults. Throws ValidationError; touches no storage. */
export function preparePutCheckpoint(request: PutCheckpointRequest, limits: Limits): PreparedCheckpoint {
  requireInput(request);
  const namespace = validateId(request.namespace ?? 'default', 'namespace', limits);
  const agentType = validateId(request.agentType, 'agentType', limits);
  const agentId = validateId(request.agentId, 'agentId', limits);
  const state = validateJsonObject(request.state, 'state', limits.maxStateBytes);
  let version = 1;
  if (request.version != null) {
    if (!Number.isInteger(request.version)) throw new ValidationError('must be an integer', 'version');
    if (request.version < 0 || request.version > MAX_REV) {
      throw new ValidationError(`must be between 0 and ${MAX_REV}`, 'version');
    }
    version = request.version;
  }
  let thread: ThreadPointer | null = null;
  if (request.thread != null) {
    const rev = validateRev(request.thread.rev, 'thread.rev');
    if (rev === 0) throw new ValidationError('must be at least 1 (use a null pointer for an empty thread)', 'thread.rev');
    thread = { id: validateId(request.thread.id, 'thread.id', limits), rev };
  }
  const expectedRev = validateExpectedRev(request.expectedRev, 'expectedRev');
  return { namespace, agentType, agentId, state, version, thread, expectedRev };
}

/**
 * Checks a prepared put against what is stored; throws RevisionConflict or InvalidThreadPointer.
 * `threadRev` is the stored rev of the pointed-at thread (0 when missing or no pointer).
 */
export function checkPutCheckpoint(put: PreparedCheckpoint, current: Checkpoint | null, threadRev: number): void {
  const actualRev = current?.rev ?? 0;
  if (put.expectedRev !== undefined && put.expectedRev !== actualRev) {
    throw new RevisionConflict(put.expectedRev, actualRev, `checkpoint ${put.agentType}/${put.agentId}`);
  }
  if (put.thread && threadRev < put.thread.rev) {
    throw new InvalidThreadPointer(put.thread.id, put.thread.rev, threadRev);
  }
}

/** The checkpoint a put produces over `current` at time `now`. */
export function nextCheckpoint(put: PreparedCheckpoint, current: Checkpoint | null, now: Date = new Date()): Checkpoint {
  const at = now.toISOString();
  return {
    agentType: put.agentType,
    agentId: put.agentId,
    rev: (current?.rev ?? 0) + 1,
    version: put.version,
    state: put.state,
    thread: put.thread,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
  };
}
