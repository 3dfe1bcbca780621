import { RevisionConflict, ValidationError } from './errors.js';
import { newEntryId } from './ids.js';
import { isoTime } from './iso-time.js';
import { jsonByteLength, type JsonObject } from './json.js';
import type { Limits } from './limits.js';
import { validateRetentionPolicy, type RetentionPolicyInput } from './retention.js';
import type { Entry, EntryInput, RetentionPolicy } from './types.js';
import {
  requireInput,
  validateExpectedRev,
  validateId,
  validateJsonObject,
  validateJsonObjectBytes,
  validateKind,
  validateRev,
  validateTimestamp,
} from './validate.js';

/** Bytes of `{"id":,"at":,"kind":,"payload":,"refs":}`: a serialized PreparedEntry less its five values. */
const ENTRY_JSON_OVERHEAD = 40;

/** An entry checked and completed with defaults, before the store gives it a seq. */
export interface PreparedEntry {
  id: string;
  at: string;
  kind: string;
  payload: JsonObject;
  refs: JsonObject;
}

/** An append whose input passed every check; adapters write exactly this. */
export interface PreparedAppend {
  namespace: string;
  threadId: string;
  entries: PreparedEntry[];
  /** True when the caller named every entry id: only then can a retry be recognised. */
  idsFromCaller: boolean;
  expectedRev: number | undefined;
  /** Metadata for a thread this append creates; ignored when the thread exists. */
  metadata: JsonObject;
  /**
   * Retention policy for a thread this append creates (the caller's, else the limits'
   * `defaultRetention`); ignored when the thread exists. Null: no policy.
   */
  retention: RetentionPolicy | null;
  /**
   * Where a thread this append creates starts: its firstSeq and the rev the append sees before
   * writing (0 unless an import recreates a trimmed thread); ignored when the thread exists.
   */
  startSeq: number;
}

/** Raw append arguments, as a caller sends them. */
export interface AppendRequest {
  namespace?: string;
  threadId: string;
  entries: readonly EntryInput[];
  expectedRev?: number | null;
  metadata?: JsonObject | null;
  /** Policy for a thread this call creates; omitted or null: the server default. */
  retention?: RetentionPolicyInput | null;
  /**
   * For import only (`cryo import` of a trimmed thread): when this call creates the thread, the
   * thread starts as if `startSeq` entries had been appended and trimmed — firstSeq = rev =
   * startSeq before this call's entries, which get seqs startSeq.. — and `expectedRev` is compared
   * with startSeq. Ignored when the thread exists. @default 0
   */
  startSeq?: number | null;
}

/** The field names errors about the i-th entry carry. */
interface EntryFields {
  entry: string;
  id: string;
  at: string;
  kind: string;
  payload: string;
  refs: string;
}

/** Field names of the first entries, built once (an append holds at most maxEntriesPerAppend). */
const ENTRY_FIELDS: EntryFields[] = [];
const CACHED_ENTRY_FIELDS = 1024;

function entryFields(i: number): EntryFields {
  const cached = ENTRY_FIELDS[i];
  if (cached) return cached;
  const entry = `entries[${i}]`;
  const fields = { entry, id: `${entry}.id`, at: `${entry}.at`, kind: `${entry}.kind`, payload: `${entry}.payload`, refs: `${entry}.refs` };
  if (i < CACHED_ENTRY_FIELDS) ENTRY_FIELDS[i] = fields;
  return fields;
}

/**
 * Validates an append against the limits and fills in defaults (generated ids, server time,
 * kind "note", empty payload and refs). Throws ValidationError naming the first bad field;
 * touches no storage.
 */
export function prepareAppend(request: AppendRequest, limits: Limits, now: Date = new Date()): PreparedAppend {
  requireInput(request);
  const namespace = validateId(request.namespace ?? 'default', 'namespace', limits);
  const threadId = validateId(request.threadId, 'threadId', limits);
  const expectedRev = validateExpectedRev(request.expectedRev, 'expectedRev');
  const metadata =
    request.metadata == null ? {} : validateJsonObject(request.metadata, 'metadata', limits.maxMetadataBytes);
  const retention =
    request.retention == null ? limits.defaultRetention : validateRetentionPolicy(request.retention, 'retention');
  const startSeq = request.startSeq == null ? 0 : validateRev(request.startSeq, 'startSeq');
  if (!Array.isArray(request.entries) || request.entries.length === 0) {
    throw new ValidationError('must hold at least one entry', 'entries');
  }
  if (request.entries.length > limits.maxEntriesPerAppend) {
    throw new ValidationError(
      `must hold at most ${limits.maxEntriesPerAppend} entries (got ${request.entries.length})`,
      'entries',
    );
  }
  const serverTime = isoTime(now);
  // Duplicate ids need two entries: a one-entry call skips the set.
  const seen = request.entries.length > 1 ? new Set<string>() : null;
  let idsFromCaller = true;
  const entries = request.entries.map((input, i): PreparedEntry => {
    const field = entryFields(i);
    if (input === null || typeof input !== 'object') throw new ValidationError('must be an object', field.entry);
    let id: string;
    if (input.id == null) {
      idsFromCaller = false;
      id = newEntryId(now.getTime());
    } else {
      id = validateId(input.id, field.id, limits);
    }
    if (seen) {
      if (seen.has(id)) throw new ValidationError(`duplicate entry id ${JSON.stringify(id)} in one call`, field.id);
      seen.add(id);
    }
    const at = input.at == null ? serverTime : validateTimestamp(input.at, field.at);
    const kind = input.kind == null ? 'note' : validateKind(input.kind, field.kind, limits);
    const payloadBytes =
      input.payload == null ? 2 : validateJsonObjectBytes(input.payload, field.payload, limits.maxEntryBytes);
    const refsBytes = input.refs == null ? 2 : validateJsonObjectBytes(input.refs, field.refs, limits.maxEntryBytes);
    const entry: PreparedEntry = {
      id,
      at,
      kind,
      payload: input.payload == null ? {} : (input.payload as JsonObject),
      refs: input.refs == null ? {} : (input.refs as JsonObject),
    };
    // = the byte length of JSON.stringify(entry), from the parts already measured. `at` (an ISO
    // string), `kind` (validated to [A-Za-z0-9_.:-]) and generated ids (hex and dashes) are ASCII
    // that JSON does not escape: their serialization is their length plus the two quotes.
    const idBytes = input.id == null ? id.length + 2 : jsonByteLength(id);
    const bytes = ENTRY_JSON_OVERHEAD + idBytes + at.length + 2 + kind.length + 2 + payloadBytes + refsBytes;
    if (bytes > limits.maxEntryBytes) {
      throw new ValidationError(`must be at most ${limits.maxEntryBytes} bytes serialized (got ${bytes})`, field.entry);
    }
    return entry;
  });
  return { namespace, threadId, entries, idsFromCaller, expectedRev, metadata, retention, startSeq };
}

/**
 * The expected-revision rule, shared by every adapter (Redis mirrors it in Lua). `currentRev` is
 * the thread's rev, or the append's `startSeq` when the thread does not exist:
 * - `'append'`: write the entries at seq `currentRev`.
 * - `'check-replay'`: the rev differs, but this may be a retry of an append that already
 *   succeeded; compare `storedIdsAt(expectedRev, entries.length)` with {@link isReplayOf}.
 * - a RevisionConflict: fail, write nothing.
 */
export function checkExpectedRev(
  append: PreparedAppend,
  currentRev: number,
): 'append' | 'check-replay' | RevisionConflict {
  const { expectedRev } = append;
  if (expectedRev === undefined || expectedRev === currentRev) return 'append';
  if (append.idsFromCaller && expectedRev + append.entries.length <= currentRev) return 'check-replay';
  return new RevisionConflict(expectedRev, currentRev, `thread ${JSON.stringify(append.threadId)}`);
}

/** True when the stored ids at seq expectedRev.. are exactly this append's ids, in order. */
export function isReplayOf(append: PreparedAppend, storedIds: readonly string[]): boolean {
  return (
    storedIds.length === append.entries.length && append.entries.every((entry, i) => entry.id === storedIds[i])
  );
}

/**
 * Gives prepared entries their seqs, starting at `firstSeq`: new Entry objects (keys in the order
 * id, at, kind, payload, refs, threadId, seq) sharing payload and refs with the prepared ones.
 */
export function assignSeqs(threadId: string, entries: readonly PreparedEntry[], firstSeq: number): Entry[] {
  const out = new Array<Entry>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const { id, at, kind, payload, refs } = entries[i]!;
    out[i] = { id, at, kind, payload, refs, threadId, seq: firstSeq + i };
  }
  return out;
}
