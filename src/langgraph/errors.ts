/**
 * A failure of the Cryo checkpoint saver that is not a transport error (those are the client's
 * CryoClientError): the server refused a write (`code` = the result's __typename, e.g.
 * `ValidationError`), or answered something the saver cannot read (`UNEXPECTED`).
 */
export class CryoSaverError extends Error {
  override readonly name: string = 'CryoSaverError';
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Fencing (`fence: true`): another writer wrote to this run's journal or latest checkpoint since
 * this saver last read or wrote it. Nothing of this call was written; the run must stop (another
 * process owns the thread) or re-read the latest checkpoint (getTuple) before writing again.
 */
export class CryoSaverConflictError extends CryoSaverError {
  override readonly name = 'CryoSaverConflictError';
  /** thread_id of the run. */
  readonly threadId: string;
  /** checkpoint_ns of the run. */
  readonly checkpointNs: string;

  constructor(message: string, threadId: string, checkpointNs: string) {
    super(message, 'CONFLICT');
    this.threadId = threadId;
    this.checkpointNs = checkpointNs;
  }
}
