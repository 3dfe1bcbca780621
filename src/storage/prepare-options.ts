import { ValidationError } from '../domain/errors.js';
import type { Limits } from '../domain/limits.js';
import { DEFAULT_NAMESPACE } from '../domain/types.js';
import { requireInput, validateId, validatePageSize, validateRev } from '../domain/validate.js';
import type {
  GetCheckpointOptions,
  ListCheckpointsOptions,
  ListThreadsOptions,
  ReadEntriesOptions,
  ReadTailOptions,
  ThreadOptions,
} from './types.js';

/**
 * Validation of the read, delete and list options of the Storage interface, shared by every
 * adapter so they reject exactly the same inputs (ValidationError naming the field). Writes are
 * validated by `prepareAppend` / `preparePutCheckpoint` in src/domain. Touches no storage.
 */

/** A validated thread key. */
export interface ThreadKey {
  namespace: string;
  threadId: string;
}

/** A validated checkpoint key. */
export interface CheckpointKey {
  namespace: string;
  agentType: string;
  agentId: string;
}

/** Validates a namespace; absent means "default". */
export function prepareNamespace(namespace: unknown, limits: Limits): string {
  return validateId(namespace ?? DEFAULT_NAMESPACE, 'namespace', limits);
}

/** Validates `{ namespace, threadId }`. */
export function prepareThreadKey(options: ThreadOptions, limits: Limits): ThreadKey {
  requireInput(options);
  return {
    namespace: prepareNamespace(options.namespace, limits),
    threadId: validateId(options.threadId, 'threadId', limits),
  };
}

/** Validates `{ namespace, agentType, agentId }`. */
export function prepareCheckpointKey(options: GetCheckpointOptions, limits: Limits): CheckpointKey {
  requireInput(options);
  return {
    namespace: prepareNamespace(options.namespace, limits),
    agentType: validateId(options.agentType, 'agentType', limits),
    agentId: validateId(options.agentId, 'agentId', limits),
  };
}

/** Validates a range read: `fromSeq` and `limit` are integers in 0..2^31-1 (limit is not capped at maxPageSize). */
export function prepareReadEntries(
  options: ReadEntriesOptions,
  limits: Limits,
): ThreadKey & { fromSeq: number; limit: number } {
  return {
    ...prepareThreadKey(options, limits),
    fromSeq: validateRev(options.fromSeq, 'fromSeq'),
    limit: validateRev(options.limit, 'limit'),
  };
}

/** Validates a tail read: `limit` is an integer in 0..2^31-1. */
export function prepareReadTail(options: ReadTailOptions, limits: Limits): ThreadKey & { limit: number } {
  return { ...prepareThreadKey(options, limits), limit: validateRev(options.limit, 'limit') };
}

/** Validates a thread listing: `first` is a page size (1..maxPageSize, default defaultPageSize). */
export function prepareListThreads(
  options: ListThreadsOptions,
  limits: Limits,
): { namespace: string; first: number; after: string | null } {
  requireInput(options);
  return {
    namespace: prepareNamespace(options.namespace, limits),
    first: validatePageSize(options.first, 'first', limits),
    after: options.after == null ? null : validateId(options.after, 'after', limits),
  };
}

/** Validates a checkpoint listing: page size, optional agentType filter, optional exclusive cursor. */
export function prepareListCheckpoints(
  options: ListCheckpointsOptions,
  limits: Limits,
): {
  namespace: string;
  agentType: string | null;
  first: number;
  after: { agentType: string; agentId: string } | null;
} {
  requireInput(options);
  let after: { agentType: string; agentId: string } | null = null;
  if (options.after != null) {
    if (typeof options.after !== 'object') throw new ValidationError('must be an object', 'after');
    after = {
      agentType: validateId(options.after.agentType, 'after.agentType', limits),
      agentId: validateId(options.after.agentId, 'after.agentId', limits),
    };
  }
  return {
    namespace: prepareNamespace(options.namespace, limits),
    agentType: options.agentType == null ? null : validateId(options.agentType, 'agentType', limits),
    first: validatePageSize(options.first, 'first', limits),
    after,
  };
}

/** Orders checkpoint keys by (agentType, agentId), UTF-16 code unit order. */
export function compareCheckpointKeys(
  a: { agentType: string; agentId: string },
  b: { agentType: string; agentId: string },
): number {
  if (a.agentType !== b.agentType) return a.agentType < b.agentType ? -1 : 1;
  if (a.agentId !== b.agentId) return a.agentId < b.agentId ? -1 : 1;
  return 0;
}
