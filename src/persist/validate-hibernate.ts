import { prepareAppend } from '../domain/append.js';
import { preparePutCheckpoint, type PreparedCheckpoint } from '../domain/checkpoint.js';
import { ValidationError } from '../domain/errors.js';
import type { JsonObject } from '../domain/json.js';
import type { Limits } from '../domain/limits.js';
import type { EntryInput } from '../domain/types.js';
import { validateId, validateJsonObject, validateRev } from '../domain/validate.js';
import type { HibernateInput } from './types.js';

/** A hibernate input that passed every check. */
export interface PreparedHibernate {
  checkpoint: PreparedCheckpoint;
  thread: {
    id: string;
    rev: number;
    entries: readonly EntryInput[];
    /** For each sent entry: the id the caller gave, or null. */
    callerIds: (string | null)[];
    metadata: JsonObject | null;
  } | null;
}

/**
 * Validates a hibernate input against the limits, touching no storage: the checkpoint fields
 * as putCheckpoint would, and the thread as its append would (field names prefixed `thread.`),
 * plus `rev` an integer ≥ 0 and `entries.length` ≤ rev and ≤ maxEntriesPerAppend.
 */
export function prepareHibernate(input: HibernateInput, limits: Limits): PreparedHibernate {
  if (input === null || typeof input !== 'object') throw new ValidationError('must be an object', 'input');
  const raw = input.thread ?? null;
  let thread: PreparedHibernate['thread'] = null;
  if (raw !== null) {
    if (typeof raw !== 'object') throw new ValidationError('must be an object', 'thread');
    const id = validateId(raw.id, 'thread.id', limits);
    const rev = validateRev(raw.rev, 'thread.rev');
    if (!Array.isArray(raw.entries)) throw new ValidationError('must be a list', 'thread.entries');
    if (raw.entries.length > rev) {
      throw new ValidationError(`holds ${raw.entries.length} entries but the thread's rev is ${rev}`, 'thread.entries');
    }
    if (raw.entries.length > limits.maxEntriesPerAppend) {
      throw new ValidationError(
        `must hold at most ${limits.maxEntriesPerAppend} entries (got ${raw.entries.length})`,
        'thread.entries',
      );
    }
    if (raw.metadata != null) validateJsonObject(raw.metadata, 'thread.metadata', limits.maxMetadataBytes);
    if (raw.entries.length > 0) {
      try {
        prepareAppend({ threadId: id, entries: raw.entries }, limits);
      } catch (error) {
        if (error instanceof ValidationError && error.field) {
          throw new ValidationError(error.reason, `thread.${error.field}`);
        }
        throw error;
      }
    }
    const callerIds = raw.entries.map((e) => (e.id == null ? null : e.id));
    thread = { id, rev, entries: raw.entries, callerIds, metadata: raw.metadata ?? null };
  }
  const checkpoint = preparePutCheckpoint(
    {
      namespace: input.namespace,
      agentType: input.agentType,
      agentId: input.agentId,
      state: input.state,
      version: input.version,
      thread: thread && thread.rev > 0 ? { id: thread.id, rev: thread.rev } : null,
      expectedRev: input.expectedRev,
    },
    limits,
  );
  return { checkpoint, thread };
}
