import { RevisionConflict, TrimBeyondCheckpoint, ValidationError } from './errors.js';
import { MAX_REV, type Limits } from './limits.js';
import type { RetentionPolicy, ThreadHead } from './types.js';
import { requireInput, validateExpectedRev, validateId } from './validate.js';

/**
 * Retention rules shared by every adapter (docs/architecture.md, "Retention"): what a trim may
 * drop, what a policy asks for, and how a checkpoint's pointer bounds both. Pure: no I/O.
 */

/** A policy as a caller sends it; both fields optional. */
export interface RetentionPolicyInput {
  maxEntries?: number | null;
  maxAgeSeconds?: number | null;
}

/**
 * Checks a policy: each bound null/absent or an integer 1..2^31-1; no other fields. Returns null
 * when neither bound is set (no policy). Throws ValidationError naming `field.maxEntries` etc.
 */
export function validateRetentionPolicy(value: unknown, field: string): RetentionPolicy | null {
  if (value == null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ValidationError('must be an object', field);
  for (const key of Object.keys(value)) {
    if (key !== 'maxEntries' && key !== 'maxAgeSeconds') {
      throw new ValidationError('is not a retention field (maxEntries, maxAgeSeconds)', `${field}.${key}`);
    }
  }
  const input = value as RetentionPolicyInput;
  const maxEntries = validateBound(input.maxEntries, `${field}.maxEntries`);
  const maxAgeSeconds = validateBound(input.maxAgeSeconds, `${field}.maxAgeSeconds`);
  return maxEntries === null && maxAgeSeconds === null ? null : { maxEntries, maxAgeSeconds };
}

function validateBound(value: unknown, field: string): number | null {
  if (value == null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ValidationError('must be an integer', field);
  if (value < 1 || value > MAX_REV) throw new ValidationError(`must be between 1 and ${MAX_REV}`, field);
  return value;
}

/** Raw trimThread arguments. */
export interface TrimRequest {
  namespace?: string;
  threadId: string;
  /** Drop the entries with seq < beforeSeq. */
  beforeSeq: number;
  /** The thread's rev must equal this, else RevisionConflict. */
  expectedRev?: number | null;
}

/** A trim whose input passed every check. */
export interface PreparedTrim {
  namespace: string;
  threadId: string;
  beforeSeq: number;
  expectedRev: number | undefined;
}

/** Validates a trim's input. Throws ValidationError; touches no storage. */
export function prepareTrim(request: TrimRequest, limits: Limits): PreparedTrim {
  requireInput(request);
  const namespace = validateId(request.namespace ?? 'default', 'namespace', limits);
  const threadId = validateId(request.threadId, 'threadId', limits);
  const { beforeSeq } = request;
  if (typeof beforeSeq !== 'number' || !Number.isInteger(beforeSeq)) throw new ValidationError('must be an integer', 'beforeSeq');
  if (beforeSeq < 0 || beforeSeq > MAX_REV) throw new ValidationError(`must be between 0 and ${MAX_REV}`, 'beforeSeq');
  const expectedRev = validateExpectedRev(request.expectedRev, 'expectedRev');
  return { namespace, threadId, beforeSeq, expectedRev };
}

/** Raw setThreadRetention arguments; a null `retention` clears the policy. */
export interface SetRetentionRequest {
  namespace?: string;
  threadId: string;
  retention: RetentionPolicyInput | null;
}

/** A setThreadRetention whose input passed every check. */
export interface PreparedSetRetention {
  namespace: string;
  threadId: string;
  retention: RetentionPolicy | null;
}

/** Validates a setThreadRetention's input. Throws ValidationError; touches no storage. */
export function prepareSetRetention(request: SetRetentionRequest, limits: Limits): PreparedSetRetention {
  requireInput(request);
  const namespace = validateId(request.namespace ?? 'default', 'namespace', limits);
  const threadId = validateId(request.threadId, 'threadId', limits);
  return { namespace, threadId, retention: validateRetentionPolicy(request.retention, 'retention') };
}

/** The thread must exist for trimThread and setThreadRetention: a ValidationError on `threadId` otherwise. */
export function requireThread<T>(head: T | null | undefined, threadId: string): T {
  if (head == null) throw new ValidationError(`no thread ${JSON.stringify(threadId)}`, 'threadId');
  return head;
}

/**
 * A checkpoint whose pointer names a thread (in its current life), as an adapter's reverse index
 * (thread → checkpoints) holds it. `rev` is the pointer's rev.
 */
export interface PointerHolder {
  agentType: string;
  agentId: string;
  rev: number;
}

/** The holder with the lowest pointer rev (ties: the first by agentType, agentId), or null for none. */
export function lowestPointer(holders: Iterable<PointerHolder>): PointerHolder | null {
  let lowest: PointerHolder | null = null;
  for (const h of holders) {
    if (
      !lowest ||
      h.rev < lowest.rev ||
      (h.rev === lowest.rev && (h.agentType < lowest.agentType || (h.agentType === lowest.agentType && h.agentId < lowest.agentId)))
    ) {
      lowest = h;
    }
  }
  return lowest;
}

/**
 * {@link lowestPointer} among the holders that bound the thread life `life`: those naming it and
 * those stored before lives (no `life`, they bound every life). Copies nothing.
 */
export function lowestPointerAtLife(holders: Iterable<PointerHolder & { life: string | undefined }>, life: string): PointerHolder | null {
  return lowestPointer(holdersAtLife(holders, life));
}

function* holdersAtLife<T extends { life: string | undefined }>(holders: Iterable<T>, life: string): Generator<T> {
  for (const h of holders) if (h.life === undefined || h.life === life) yield h;
}

/** What a checked trim does: drop entries, or nothing (already trimmed that far). */
export type TrimDecision = 'trim' | 'noop';

/**
 * The trim rule, in this order: the thread must exist (ValidationError on threadId); a given
 * expectedRev must equal its rev (RevisionConflict); beforeSeq must be ≤ rev (ValidationError on
 * beforeSeq); beforeSeq ≤ firstSeq is a 'noop'; beforeSeq above the lowest pointer rev of a
 * checkpoint naming this life of the thread is TrimBeyondCheckpoint. Otherwise 'trim'.
 */
export function checkTrim(
  trim: PreparedTrim,
  head: Pick<ThreadHead, 'rev' | 'firstSeq'> | null,
  lowest: PointerHolder | null,
): TrimDecision {
  const thread = requireThread(head, trim.threadId);
  if (trim.expectedRev !== undefined && trim.expectedRev !== thread.rev) {
    throw new RevisionConflict(trim.expectedRev, thread.rev, `thread ${JSON.stringify(trim.threadId)}`);
  }
  if (trim.beforeSeq > thread.rev) {
    throw new ValidationError(`must be at most the thread's rev (${thread.rev})`, 'beforeSeq');
  }
  if (trim.beforeSeq <= thread.firstSeq) return 'noop';
  if (lowest && trim.beforeSeq > lowest.rev) {
    throw new TrimBeyondCheckpoint(trim.threadId, trim.beforeSeq, lowest.agentType, lowest.agentId, lowest.rev);
  }
  return 'trim';
}

/**
 * The firstSeq a maxEntries policy asks for after an append: keep the last `maxEntries`, but
 * never past `lowestPointerRev` (null: no checkpoint points here). Null when there is nothing
 * to drop (no such policy, or already within it).
 */
export function maxEntriesTarget(
  head: Pick<ThreadHead, 'rev' | 'firstSeq'>,
  policy: RetentionPolicy | null,
  lowestPointerRev: number | null,
): number | null {
  if (!policy || policy.maxEntries === null) return null;
  let target = head.rev - policy.maxEntries;
  if (lowestPointerRev !== null) target = Math.min(target, lowestPointerRev);
  return target > head.firstSeq ? target : null;
}

/**
 * The `at` below which a maxAgeSeconds policy expires entries at time `now` (ISO-8601, comparable
 * as strings with entry times), or null when the policy sets no age.
 */
export function ageCutoff(policy: RetentionPolicy | null, now: Date): string | null {
  if (!policy || policy.maxAgeSeconds === null) return null;
  const ms = now.getTime() - policy.maxAgeSeconds * 1000;
  return new Date(Math.max(ms, -62135596800000)).toISOString();
}

/**
 * The firstSeq a maxAgeSeconds policy asks for: the seq of the first stored entry (walking up
 * from firstSeq) whose `at` is not older than `cutoff` — the longest expired prefix, since only a
 * prefix can be trimmed — or rev when all are expired; never past `lowestPointerRev`. Null when
 * nothing is to drop. `entriesFromFirst` yields the stored entries from firstSeq up, in order;
 * the walk stops at the first young entry (or the pointer), so its cost is what it drops.
 */
export function ageTarget(
  head: Pick<ThreadHead, 'rev' | 'firstSeq'>,
  entriesFromFirst: Iterable<{ seq: number; at: string }>,
  cutoff: string,
  lowestPointerRev: number | null,
): number | null {
  const limit = lowestPointerRev === null ? head.rev : Math.min(head.rev, lowestPointerRev);
  let target = head.firstSeq;
  for (const entry of entriesFromFirst) {
    if (entry.seq >= limit || entry.at >= cutoff) break;
    target = entry.seq + 1;
  }
  return target > head.firstSeq ? target : null;
}

/**
 * The firstSeq a whole policy asks for at `now`: the further of {@link maxEntriesTarget} and
 * {@link ageTarget}, both bounded by `lowestPointerRev`. Null when nothing is to drop.
 */
export function policyTarget(
  head: Pick<ThreadHead, 'rev' | 'firstSeq' | 'retention'>,
  now: Date,
  entriesFromFirst: Iterable<{ seq: number; at: string }>,
  lowestPointerRev: number | null,
): number | null {
  const byCount = maxEntriesTarget(head, head.retention, lowestPointerRev);
  const cutoff = ageCutoff(head.retention, now);
  const byAge = cutoff === null ? null : ageTarget(head, entriesFromFirst, cutoff, lowestPointerRev);
  if (byCount === null) return byAge;
  return byAge === null ? byCount : Math.max(byCount, byAge);
}

/**
 * Validates sweepRetention's options and returns the sweep's time: `now` when given (it must be a
 * valid Date), else the adapter's clock. Every adapter calls it before doing anything, so a bad
 * `now` is a ValidationError that changes nothing.
 */
export function prepareSweep(options: { now?: Date } | null | undefined, clock: () => Date): Date {
  if (options != null && typeof options !== 'object') throw new ValidationError('must be an object');
  const at = options?.now;
  if (at === undefined) return clock();
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new ValidationError('must be a valid Date', 'now');
  return at;
}
