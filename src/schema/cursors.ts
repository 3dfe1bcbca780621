import { ValidationError } from '../domain/errors.js';

/**
 * Opaque, stable cursors: base64url of a versioned JSON array, `[1, kind, ...key]`. A cursor
 * names a position (an entry's seq, a thread id, a checkpoint key), not an offset, so it stays
 * valid while items are added. Decoding rejects anything malformed, from another list, or of an
 * unknown version with a ValidationError naming the argument. Cursors are NOT signed: a caller
 * may forge one, which only moves its own page window.
 */

const VERSION = 1;

function encode(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([VERSION, ...parts]), 'utf8').toString('base64url');
}

function decode(cursor: string, kind: string, field: string): unknown[] {
  let parsed: unknown;
  try {
    if (cursor.length === 0 || cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('shape');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('is not a valid cursor (pass a cursor this API returned)', field);
  }
  if (!Array.isArray(parsed) || parsed[0] !== VERSION || parsed[1] !== kind) {
    throw new ValidationError(`is not a cursor of this list (expected a ${kind} cursor)`, field);
  }
  return parsed.slice(2);
}

/** Cursor of the entry at `seq`. */
export function entryCursor(seq: number): string {
  return encode(['e', seq]);
}

/** The seq an entry cursor names; ValidationError when malformed. */
export function decodeEntryCursor(cursor: string, field: string): number {
  const [seq, ...rest] = decode(cursor, 'e', field);
  if (rest.length > 0 || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new ValidationError('is not a valid entry cursor', field);
  }
  return seq;
}

/** Cursor of the thread `id` in the thread list. */
export function threadCursor(id: string): string {
  return encode(['t', id]);
}

/** The thread id a thread cursor names; ValidationError when malformed. */
export function decodeThreadCursor(cursor: string, field: string): string {
  const [id, ...rest] = decode(cursor, 't', field);
  if (rest.length > 0 || typeof id !== 'string' || id.length === 0) {
    throw new ValidationError('is not a valid thread cursor', field);
  }
  return id;
}

/** Cursor of the API key `id` in the key list. */
export function apiKeyCursor(id: string): string {
  return encode(['k', id]);
}

/** The key id an API key cursor names; ValidationError when malformed. */
export function decodeApiKeyCursor(cursor: string, field: string): string {
  const [id, ...rest] = decode(cursor, 'k', field);
  if (rest.length > 0 || typeof id !== 'string' || id.length === 0) {
    throw new ValidationError('is not a valid API key cursor', field);
  }
  return id;
}

/** Cursor of a checkpoint in the checkpoint list. */
export function checkpointCursor(agentType: string, agentId: string): string {
  return encode(['c', agentType, agentId]);
}

/** The checkpoint key a checkpoint cursor names; ValidationError when malformed. */
export function decodeCheckpointCursor(cursor: string, field: string): { agentType: string; agentId: string } {
  const [agentType, agentId, ...rest] = decode(cursor, 'c', field);
  if (rest.length > 0 || typeof agentType !== 'string' || typeof agentId !== 'string' || !agentType || !agentId) {
    throw new ValidationError('is not a valid checkpoint cursor', field);
  }
  return { agentType, agentId };
}
