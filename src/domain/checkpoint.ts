import { InvalidThreadPointer, RevisionConflict, ValidationError } from './errors.js';
import { isoTime } from './iso-time.js';
import { jsonEqual, type JsonObject } from './json.js';
import { MAX_REV, type Limits } from './limits.js';
import type { AgentKey, Checkpoint, ThreadHead, ThreadPointer } from './types.js';
import { requireInput, validateExpectedRev, validateId, validateJsonObject, validateRev } from './validate.js';

/** Raw put-checkpoint arguments, as a caller sends them. */
export interface PutCheckpointRequest extends AgentKey {
  namespace?: string;
  state: JsonObject;
  /** The state's schema version; default 1. */
  version?: number | null;
  /** Pointer into the agent's journal, or null/absent for none; `life`, when given, must be the thread's. */
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
    if (request.thread.life != null) thread.life = validateLife(request.thread.life);
  }
  const expectedRev = validateExpectedRev(request.expectedRev, 'expectedRev');
  return { namespace, agentType, agentId, state, version, thread, expectedRev };
}

/** Longest thread life a pointer may carry (a store's own are 36 characters or about 31 for older data). */
const MAX_LIFE_LENGTH = 128;

function validateLife(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LIFE_LENGTH || /[\u0000-\u001f\u007f-\u009f]/.test(value)) {
    throw new ValidationError(`must be a thread life as the store reported it (1..${MAX_LIFE_LENGTH} characters)`, 'thread.life');
  }
  return value;
}

/** What a put needs of the pointed-at thread: its stored rev, firstSeq and life. */
export type PointedThread = Pick<ThreadHead, 'rev' | 'firstSeq' | 'life'>;

/** What a put that passed {@link checkPutCheckpoint} does: write a new rev, or answer with the stored one. */
export type PutDecision = 'write' | 'replay';

/**
 * Checks a prepared put against what is stored. `current` is the stored checkpoint (only its
 * rev is read unless the put may be a replay: see {@link mayBeReplay}); `thread` is the
 * pointed-at thread (null when missing or no pointer). Returns 'replay' for a retry of a put
 * that already succeeded (see {@link isCheckpointReplay}): the caller then returns `current` and
 * writes nothing. Throws RevisionConflict or InvalidThreadPointer.
 */
export function checkPutCheckpoint(put: PreparedCheckpoint, current: Checkpoint | null, thread: PointedThread | null): PutDecision {
  if (checkCheckpointRev(put, current) === 'replay') return 'replay';
  checkThreadPointer(put, thread);
  return 'write';
}

/**
 * The revision half of {@link checkPutCheckpoint}: 'write' when `expectedRev` is absent or
 * matches, 'replay' when the stored checkpoint is this put already written, else RevisionConflict.
 */
export function checkCheckpointRev(put: PreparedCheckpoint, current: Checkpoint | null): PutDecision {
  const actualRev = current?.rev ?? 0;
  if (put.expectedRev === undefined || put.expectedRev === actualRev) return 'write';
  if (current && isCheckpointReplay(put, current)) return 'replay';
  throw new RevisionConflict(put.expectedRev, actualRev, `checkpoint ${put.agentType}/${put.agentId}`);
}

/**
 * The pointer half of {@link checkPutCheckpoint}: the thread must hold `rev` entries, in the life
 * the caller named (if any), and must not be trimmed past it (`rev` ≥ firstSeq: thaw replays the
 * entries from the pointer on).
 */
export function checkThreadPointer(put: PreparedCheckpoint, thread: PointedThread | null): void {
  if (!put.thread) return;
  const storedRev = thread?.rev ?? 0;
  if (storedRev < put.thread.rev) throw new InvalidThreadPointer(put.thread.id, put.thread.rev, storedRev);
  if (put.thread.life !== undefined && put.thread.life !== thread!.life) {
    throw new InvalidThreadPointer(put.thread.id, put.thread.rev, storedRev, 'other-life');
  }
  if (put.thread.rev < thread!.firstSeq) throw new InvalidThreadPointer(put.thread.id, put.thread.rev, storedRev, 'trimmed');
}

/** True when a stored checkpoint at `rev` could be this put's replay, so an adapter that indexes revs knows to read its state. */
export function mayBeReplay(put: PreparedCheckpoint, rev: number): boolean {
  return put.expectedRev !== undefined && rev === put.expectedRev + 1;
}

/**
 * True when `stored` is what this put wrote, in a call whose reply was lost: the put expects
 * rev n, the stored checkpoint is at rev n + 1 with a deep-equal state (key order ignored), the
 * same version and the same pointer (id and rev; a life only where both sides have one).
 * Does NOT promise the same caller wrote it: an identical put by another writer looks the same.
 */
export function isCheckpointReplay(put: PreparedCheckpoint, stored: Checkpoint): boolean {
  return (
    mayBeReplay(put, stored.rev) &&
    stored.version === put.version &&
    samePointer(put.thread, stored.thread) &&
    jsonEqual(put.state, stored.state)
  );
}

function samePointer(sent: ThreadPointer | null, stored: ThreadPointer | null): boolean {
  if (sent === null || stored === null) return sent === stored;
  if (sent.id !== stored.id || sent.rev !== stored.rev) return false;
  return sent.life === undefined || stored.life === undefined || sent.life === stored.life;
}

/**
 * True when `pointer` names the thread `head` (a stored head of the pointer's id): the same
 * life, or a pointer stored before lives existed. thaw reports MissingThread otherwise.
 */
export function pointsAtLife(pointer: ThreadPointer, head: Pick<ThreadHead, 'life'>): boolean {
  return pointer.life === undefined || pointer.life === head.life;
}

/**
 * The checkpoint a put produces over `current` at time `now`; its pointer carries the life of
 * `thread` (the pointed-at thread the put was checked against).
 */
export function nextCheckpoint(
  put: PreparedCheckpoint,
  current: Checkpoint | null,
  thread: PointedThread | null,
  now: Date = new Date(),
): Checkpoint {
  const at = isoTime(now);
  return {
    agentType: put.agentType,
    agentId: put.agentId,
    rev: (current?.rev ?? 0) + 1,
    version: put.version,
    state: put.state,
    thread: put.thread && { id: put.thread.id, rev: put.thread.rev, life: thread?.life ?? put.thread.life },
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
  };
}
