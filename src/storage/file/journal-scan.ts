import type { FileHandle } from 'node:fs/promises';
import type { JsonObject } from '../../domain/json.js';
import { ChunkReader } from './chunk-reader.js';
import {
  decodeRecord,
  declaredRecordSize,
  findMagic,
  parsePayload,
  RECORD_HEADER_BYTES,
  RecordType,
  type DecodedRecord,
} from './record-codec.js';

/** Payload of a journal's first record. `life` is absent in journals written before lives existed. */
export interface ThreadHeaderPayload {
  v: 1;
  ns: string;
  id: string;
  metadata: JsonObject;
  createdAt: string;
  life?: string;
}

/** Payload of an entry record. `t` (the append's server time) is on the last record of an append. */
export interface EntryPayload {
  s: number;
  id: string;
  at: string;
  kind: string;
  payload: JsonObject;
  refs: JsonObject;
  t?: string;
}

/** A journal whose committed part checked out. */
export interface ScannedJournal {
  kind: 'ok';
  header: ThreadHeaderPayload;
  /** File offset of each entry's record, by seq. */
  offsets: number[];
  /** Length of the committed part; bytes after it are a torn tail to cut. */
  size: number;
  updatedAt: string;
  /** Set when the file is longer than `size` (the bytes after it were never committed). */
  tornTail: boolean;
}

/** Outcome of {@link scanJournal}. */
export type ScanResult =
  | ScannedJournal
  /** No committed append at all (a crash during the thread's first append): remove the file. */
  | { kind: 'empty' }
  /** Damage followed by valid data: never cut, reported. */
  | { kind: 'corrupt'; offset: number; reason: string; header: ThreadHeaderPayload | null };

/**
 * Reads a journal once, front to back, checking every record's checksum and the append
 * structure (each append is a run of entry records whose `following` counts down to 0).
 * A damaged or incomplete part with no valid record after it is a torn tail: everything from
 * the start of the incomplete append on is reported as cuttable. Damage with a valid record
 * after it is corruption. Parses only the header's and the last record's JSON. Does NOT modify
 * the file, and cannot tell a flipped byte in the very last record from a torn write (both cut).
 */
export async function scanJournal(handle: FileHandle, fileSize: number): Promise<ScanResult> {
  const reader = new ChunkReader(handle, fileSize);
  const offsets: number[] = [];
  let header: ThreadHeaderPayload | null = null;
  let committed = 0;
  let lastCommit = -1;
  let batch: number[] = [];
  let expect: number | null = null;
  let pos = 0;

  const corrupt = (offset: number, reason: string): ScanResult => ({ kind: 'corrupt', offset, reason, header });

  while (pos < fileSize) {
    const record = await readRecord(reader, pos);
    if (typeof record === 'string') {
      const later = await findValidRecord(reader, pos + 1);
      if (later !== -1) return corrupt(pos, `${record}; a valid record follows at offset ${later}`);
      break;
    }
    if (pos === 0) {
      if (record.type !== RecordType.ThreadHeader || record.following !== 0) return corrupt(0, 'no thread header');
      try {
        header = parsePayload<ThreadHeaderPayload>(record);
      } catch {
        return corrupt(0, 'unreadable thread header');
      }
      committed = record.end;
    } else if (record.type !== RecordType.Entry) {
      return corrupt(pos, `unexpected record type ${record.type}`);
    } else {
      if (expect !== null && record.following !== expect) {
        return corrupt(pos, `append structure broken (expected ${expect} following records, got ${record.following})`);
      }
      batch.push(pos);
      if (record.following === 0) {
        for (const offset of batch) offsets.push(offset);
        batch = [];
        expect = null;
        committed = record.end;
        lastCommit = pos;
      } else {
        expect = record.following - 1;
      }
    }
    pos = record.end;
  }

  if (!header || lastCommit === -1) return { kind: 'empty' };
  const last = await readRecord(reader, lastCommit);
  let updatedAt: string | undefined;
  try {
    if (typeof last !== 'string') updatedAt = parsePayload<EntryPayload>(last).t;
  } catch {
    // reported below
  }
  if (!updatedAt) return corrupt(lastCommit, 'last append has no readable commit time');
  return { kind: 'ok', header, offsets, size: committed, updatedAt, tornTail: committed < fileSize };
}

/** The checked record at `pos`, or why there is none ('short' when the file ends inside it). */
export async function readRecord(reader: ChunkReader, pos: number): Promise<DecodedRecord | string> {
  const head = await reader.view(pos, RECORD_HEADER_BYTES);
  const first = decodeRecord(head, 0);
  if (first !== 'short') return typeof first === 'string' ? first : { ...first, start: pos, end: pos + first.end };
  if (head.length < RECORD_HEADER_BYTES) return 'short';
  const full = await reader.view(pos, declaredRecordSize(head, 0));
  const record = decodeRecord(full, 0);
  return typeof record === 'string' ? record : { ...record, start: pos, end: pos + record.end };
}

/** Offset of the first complete, checksum-valid record at or after `from`, or -1. */
export async function findValidRecord(reader: ChunkReader, from: number): Promise<number> {
  const window = 1024 * 1024;
  let pos = from;
  while (pos < reader.size) {
    const view = await reader.view(pos, window);
    let at = findMagic(view, 0);
    while (at !== -1) {
      if (typeof (await readRecord(reader, pos + at)) !== 'string') return pos + at;
      // readRecord may have moved the reader's chunk; re-read the window.
      const again = await reader.view(pos, window);
      at = findMagic(again, at + 1);
    }
    if (view.length <= 3) break;
    pos += view.length - 3;
  }
  return -1;
}
