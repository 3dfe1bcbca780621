import { jsonEqual } from '../domain/json.js';
import type { Entry, EntryInput } from '../domain/types.js';
import { validateTimestamp } from '../domain/validate.js';

/**
 * True when an entry the agent sent without an id can be the stored `entry`: same kind, payload
 * and refs (defaults applied, object key order ignored) and, when the agent gave `at`, the same
 * time. Used where a sent tail overlaps stored entries, so that an entry without an id that is
 * NOT the stored one is reported (ThreadDiverged) instead of being silently taken as written.
 * Does not promise the entries are the same event: two identical notes are indistinguishable.
 */
export function couldBeStoredEntry(sent: EntryInput, stored: Entry): boolean {
  if ((sent.kind ?? 'note') !== stored.kind) return false;
  if (!jsonEqual(sent.payload ?? {}, stored.payload)) return false;
  if (!jsonEqual(sent.refs ?? {}, stored.refs)) return false;
  return sent.at == null || validateTimestamp(sent.at, 'at') === stored.at;
}
