/**
 * The closed set of Cryo's error codes. Domain failures of mutations map to GraphQL union members
 * of the same name; the others (SUBSCRIBER_TOO_SLOW ending a stream, infrastructure failures
 * STORAGE_*) map to GraphQL errors with `extensions.code`.
 */
export const ERROR_CODES = [
  'REVISION_CONFLICT',
  'INVALID_THREAD_POINTER',
  'THREAD_REV_REGRESSION',
  'THREAD_HISTORY_TRUNCATED',
  'THREAD_DIVERGED',
  'CHECKPOINT_NOT_FOUND',
  'MISSING_THREAD',
  'THREAD_MISMATCH',
  'VALIDATION_ERROR',
  'SUBSCRIBER_TOO_SLOW',
  'STORAGE_UNAVAILABLE',
  'STORAGE_CORRUPTED',
  'TRIM_BEYOND_CHECKPOINT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Base class of every error Cryo raises on purpose. `code` is stable; `message` is for people. */
export abstract class CryoError extends Error {
  abstract readonly code: ErrorCode;
  override get name(): string {
    return this.constructor.name;
  }
}

/** An expected revision (of a thread or a checkpoint) did not match the stored one. */
export class RevisionConflict extends CryoError {
  readonly code = 'REVISION_CONFLICT';
  constructor(
    readonly expectedRev: number,
    readonly actualRev: number,
    subject = 'revision',
  ) {
    super(`${subject} conflict: expected rev ${expectedRev}, actual rev ${actualRev}`);
  }
}

/** A checkpoint's pointer names more entries than its thread holds. */
export class InvalidThreadPointer extends CryoError {
  readonly code = 'INVALID_THREAD_POINTER';
  constructor(
    readonly threadId: string,
    readonly pointerRev: number,
    readonly storedRev: number,
    /**
     * True (or 'other-life') when the pointer names another life of the thread (it was deleted
     * and re-created); 'trimmed' when the entries after the pointer were trimmed away (its rev
     * is below the thread's firstSeq, so thaw could not replay them).
     */
    reason: boolean | 'ahead' | 'other-life' | 'trimmed' = 'ahead',
  ) {
    const why = reason === true ? 'other-life' : reason === false ? 'ahead' : reason;
    super(
      why === 'other-life'
        ? `thread pointer ${JSON.stringify(threadId)}@${pointerRev} names an earlier life of the thread (deleted and re-created since)`
        : why === 'trimmed'
          ? `thread pointer ${JSON.stringify(threadId)}@${pointerRev} is below the thread's trimmed start: the entries after it are gone`
          : `thread pointer ${JSON.stringify(threadId)}@${pointerRev} is ahead of the stored thread (rev ${storedRev})`,
    );
  }
}

/** hibernate: the stored journal is ahead of the agent's local one. */
export class ThreadRevRegression extends CryoError {
  readonly code = 'THREAD_REV_REGRESSION';
  constructor(
    readonly threadId: string,
    readonly storedRev: number,
    readonly localRev: number,
  ) {
    super(`thread ${JSON.stringify(threadId)} is at rev ${storedRev} in the store but the agent's local rev is ${localRev}`);
  }
}

/** hibernate: the agent sent a tail that starts after the store's end; entries would be missing. */
export class ThreadHistoryTruncated extends CryoError {
  readonly code = 'THREAD_HISTORY_TRUNCATED';
  constructor(
    readonly threadId: string,
    readonly storedRev: number,
    readonly firstSentSeq: number,
  ) {
    super(
      `thread ${JSON.stringify(threadId)} is at rev ${storedRev} but the first entry sent has seq ${firstSentSeq}: ` +
        `send the entries from seq ${storedRev} on`,
    );
  }
}

/** hibernate: an entry the agent sent has a different id than the stored entry at that seq. */
export class ThreadDiverged extends CryoError {
  readonly code = 'THREAD_DIVERGED';
  constructor(
    readonly threadId: string,
    readonly seq: number,
  ) {
    super(`thread ${JSON.stringify(threadId)} diverged at seq ${seq}: the entry sent is not the stored one (another id or content)`);
  }
}

/** thaw: there is no checkpoint for this agent. */
export class CheckpointNotFound extends CryoError {
  readonly code = 'CHECKPOINT_NOT_FOUND';
  constructor(
    readonly agentType: string,
    readonly agentId: string,
  ) {
    super(`no checkpoint for agent ${JSON.stringify(agentType)}/${JSON.stringify(agentId)}`);
  }
}

/** thaw: the checkpoint points at a thread that does not exist (deleted, or never written). */
export class MissingThread extends CryoError {
  readonly code = 'MISSING_THREAD';
  constructor(
    readonly threadId: string,
    readonly pointerRev: number,
    /** True when a thread of that id exists but is another life of it (deleted and re-created since). */
    otherLife = false,
  ) {
    super(
      otherLife
        ? `the checkpoint points at thread ${JSON.stringify(threadId)}@${pointerRev}, which was deleted and re-created since`
        : `the checkpoint points at thread ${JSON.stringify(threadId)}@${pointerRev}, which does not exist`,
    );
  }
}

/** thaw: the stored thread's rev differs from the checkpoint's pointer. */
export class ThreadMismatch extends CryoError {
  readonly code = 'THREAD_MISMATCH';
  constructor(
    readonly threadId: string,
    readonly pointerRev: number,
    readonly storedRev: number,
  ) {
    super(
      `thread ${JSON.stringify(threadId)} is at rev ${storedRev} but the checkpoint points at rev ${pointerRev}` +
        (storedRev > pointerRev ? ' (journal ahead: thaw with allowJournalAhead to replay the pending entries)' : ''),
    );
  }
}

/**
 * trimThread: the trim would drop entries a checkpoint still needs — its pointer rev is below
 * `beforeSeq` (thaw replays the entries from the pointer on). Nothing was dropped.
 */
export class TrimBeyondCheckpoint extends CryoError {
  readonly code = 'TRIM_BEYOND_CHECKPOINT';
  constructor(
    readonly threadId: string,
    readonly beforeSeq: number,
    readonly agentType: string,
    readonly agentId: string,
    readonly pointerRev: number,
  ) {
    super(
      `cannot trim thread ${JSON.stringify(threadId)} before seq ${beforeSeq}: checkpoint ` +
        `${JSON.stringify(agentType)}/${JSON.stringify(agentId)} points at rev ${pointerRev}`,
    );
  }
}

/**
 * An input broke a rule or a limit. `field` names the input path, e.g. `entries[3].kind`;
 * `reason` says what is wrong with it, e.g. `must not be empty`. The message joins the two
 * (`entries[3].kind: must not be empty`) for people; code reads `field` and `reason`.
 */
export class ValidationError extends CryoError {
  readonly code = 'VALIDATION_ERROR';
  constructor(
    readonly reason: string,
    readonly field: string | null = null,
  ) {
    super(field ? `${field}: ${reason}` : reason);
  }
}

/**
 * A checkpointEvents subscriber let more than `limit` events pile up undelivered, so its stream
 * ends. An expected outcome of a slow client, not a fault: it resubscribes and re-lists the
 * checkpoints (checkpoint events cannot be re-read from storage).
 */
export class SubscriberTooSlow extends CryoError {
  readonly code = 'SUBSCRIBER_TOO_SLOW';
  constructor(readonly limit: number) {
    super(`subscriber too slow: more than ${limit} undelivered checkpoint events; resubscribe and re-list checkpoints`);
  }
}

/** The storage backend cannot be reached or did not answer in time. Safe to retry. */
export class StorageUnavailable extends CryoError {
  readonly code = 'STORAGE_UNAVAILABLE';
  constructor(message = 'storage unavailable', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Stored data failed an integrity check (checksum, format). Never silently skipped. */
export class StorageCorrupted extends CryoError {
  readonly code = 'STORAGE_CORRUPTED';
  constructor(
    message: string,
    readonly location: string | null = null,
  ) {
    super(location ? `${message} (${location})` : message);
  }
}

/** True for errors Cryo raises on purpose (as opposed to bugs). */
export function isCryoError(error: unknown): error is CryoError {
  return error instanceof CryoError;
}
