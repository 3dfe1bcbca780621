import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { EXPORT_FORMAT, READABLE_VERSIONS, type ExportRecord, type HeaderRecord } from './export-format.js';

/** A line of an export file that cannot be imported; nothing of the file was applied. */
export class ExportFileError extends Error {
  override readonly name = 'ExportFileError';
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** One record with its 1-based line number. */
export interface NumberedRecord {
  line: number;
  record: ExportRecord;
}

/**
 * Reads an export file line by line (streaming) and yields its records after the header,
 * checking the shape of each and the order of the whole: header with a format version this build
 * reads, entries contiguous from the thread's firstSeq to rev - 1 after their thread record
 * (version 1 records, which have no firstSeq nor retention, are yielded with 0 and null),
 * namespaces not revisited, an end record matching the counts and nothing after it. Throws
 * {@link ExportFileError} naming the first bad line. Does NOT check values against a store's
 * limits (the store does that on import).
 */
export async function* readExport(path: string): AsyncGenerator<NumberedRecord, HeaderRecord | null> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let header: HeaderRecord | null = null;
  let thread: { rev: number; next: number; line: number } | null = null;
  let version = 0;
  let ended = false;
  const counts = { threads: 0, entries: 0, checkpoints: 0, apiKeys: 0 };
  const seenNamespaces = new Set<string>();
  let namespace: string | null = null;
  for await (const text of lines) {
    n++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ExportFileError(n, 'not a JSON line (damaged or cut)');
    }
    if (!isObject(value)) throw new ExportFileError(n, 'not a JSON object');
    if (n === 1) {
      if (value['format'] !== EXPORT_FORMAT) throw new ExportFileError(1, `not a Cryo export (format ${JSON.stringify(value['format'])})`);
      if (!READABLE_VERSIONS.includes(value['version'] as number)) {
        throw new ExportFileError(
          1,
          `format version ${JSON.stringify(value['version'])} is not supported (this build reads versions ${READABLE_VERSIONS.join(', ')})`,
        );
      }
      version = value['version'] as number;
      header = value as unknown as HeaderRecord;
      continue;
    }
    if (ended) throw new ExportFileError(n, 'data after the end record');
    const record = value as unknown as ExportRecord;
    if (thread && record.type !== 'entry' && thread.next !== thread.rev) {
      throw new ExportFileError(n, `thread at line ${thread.line} has its entries up to seq ${thread.next}, not up to its rev ${thread.rev}`);
    }
    switch (record.type) {
      case 'thread':
        requireFields(n, value, { namespace: 'string', id: 'string', rev: 'integer', metadata: 'object' });
        if (version === 1) Object.assign(record, { firstSeq: 0, retention: null });
        requireFields(n, value, { firstSeq: 'integer' });
        if (record.firstSeq > record.rev) throw new ExportFileError(n, `firstSeq ${record.firstSeq} is above rev ${record.rev}`);
        checkRetention(n, value['retention']);
        enterNamespace(n, record.namespace);
        thread = { rev: record.rev, next: record.firstSeq, line: n };
        counts.threads++;
        break;
      case 'entry':
        requireFields(n, value, { seq: 'integer', id: 'string', at: 'string', kind: 'string', payload: 'object', refs: 'object' });
        if (!thread) throw new ExportFileError(n, 'entry outside a thread');
        if (record.seq !== thread.next || record.seq >= thread.rev) {
          throw new ExportFileError(n, `entry seq ${record.seq} where seq ${thread.next} of ${thread.rev} was expected`);
        }
        thread.next++;
        counts.entries++;
        break;
      case 'checkpoint':
        requireFields(n, value, { namespace: 'string', agentType: 'string', agentId: 'string', version: 'integer', state: 'object' });
        if (record.thread !== null) {
          if (!isObject(record.thread)) throw new ExportFileError(n, 'thread must be an object or null');
          requireFields(n, record.thread, { id: 'string', rev: 'integer', life: 'string' });
          if (record.thread.life !== 'current' && record.thread.life !== 'dangling') throw new ExportFileError(n, 'thread.life must be current or dangling');
        }
        enterNamespace(n, record.namespace);
        thread = null;
        counts.checkpoints++;
        break;
      case 'apiKey':
        if (version < 3) throw new ExportFileError(n, `API key records need format version 3 (the header says ${version})`);
        requireFields(n, value, { namespace: 'string', id: 'string', hash: 'string', createdAt: 'string' });
        if (!Array.isArray(record.scopes) || !record.scopes.every((s) => typeof s === 'string')) {
          throw new ExportFileError(n, 'scopes must be a list of strings');
        }
        for (const field of ['label', 'expiresAt', 'revokedAt'] as const) {
          if (record[field] !== null && typeof record[field] !== 'string') throw new ExportFileError(n, `${field} must be a string or null`);
        }
        enterNamespace(n, record.namespace);
        thread = null;
        counts.apiKeys++;
        break;
      case 'end':
        if (version < 3) record.apiKeys = 0;
        if (
          record.threads !== counts.threads ||
          record.entries !== counts.entries ||
          record.checkpoints !== counts.checkpoints ||
          record.apiKeys !== counts.apiKeys
        ) {
          throw new ExportFileError(n, `the end record counts ${JSON.stringify({ ...record, type: undefined })} but the file holds ${JSON.stringify(counts)}`);
        }
        ended = true;
        thread = null;
        break;
      default:
        throw new ExportFileError(n, `unknown record type ${JSON.stringify((record as { type: unknown }).type)}`);
    }
    yield { line: n, record };
  }
  if (n === 0) throw new ExportFileError(1, 'empty file');
  if (!ended) throw new ExportFileError(n + 1, 'the file ends without its end record (cut off?)');
  return header;

  function enterNamespace(line: number, name: string): void {
    if (name === namespace) return;
    if (seenNamespaces.has(name)) throw new ExportFileError(line, `namespace ${JSON.stringify(name)} appears twice`);
    seenNamespaces.add(name);
    namespace = name;
  }
}

/** A thread's retention: null, or an object of maxEntries / maxAgeSeconds, each null or an integer ≥ 1. */
function checkRetention(line: number, value: unknown): void {
  if (value === null) return;
  if (!isObject(value)) throw new ExportFileError(line, 'retention must be an object or null');
  for (const [key, bound] of Object.entries(value)) {
    if (key !== 'maxEntries' && key !== 'maxAgeSeconds') throw new ExportFileError(line, `retention.${key} is not a retention field`);
    if (bound !== null && !(Number.isSafeInteger(bound) && (bound as number) >= 1)) {
      throw new ExportFileError(line, `retention.${key} must be null or a positive integer`);
    }
  }
  if (!('maxEntries' in value) || !('maxAgeSeconds' in value)) throw new ExportFileError(line, 'retention must have maxEntries and maxAgeSeconds');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireFields(line: number, value: Record<string, unknown>, fields: Record<string, 'string' | 'integer' | 'object'>): void {
  for (const [name, type] of Object.entries(fields)) {
    const field = value[name];
    const ok =
      type === 'string' ? typeof field === 'string' : type === 'integer' ? Number.isSafeInteger(field) && (field as number) >= 0 : isObject(field);
    if (!ok) throw new ExportFileError(line, `${name} must be ${type === 'integer' ? 'a non-negative integer' : `a ${type}`}`);
  }
}
