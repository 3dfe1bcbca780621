import type { FileHandle } from 'node:fs/promises';
import type { JsonObject } from '../../domain/json.js';
import type { RetentionPolicy } from '../../domain/types.js';
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

/**
 * Payload of a journal's first record. `life` is absent in journals written before lives existed;
 * `first`, `retention` and `u` in journals written before retention.
 */
export interface ThreadHeaderPayload {
  v: 1;
  ns: string;
  id: string;
  metadata: JsonObject;
  createdAt: string;
  life?: string;
  /** Seq of the file's first entry record, and the thread's firstSeq when the header was written. @default 0 */
  first?: number;
  /** The thread's retention policy when the header was written. @default null */
  retention?: RetentionPolicy | null;
  /**
   * Set only by a compaction (the header of a rewritten journal): the thread's updatedAt. A
   * header with `u` is a complete thread by itself (all its entries may have been trimmed); one
   * without is the start of the thread's first append and counts only with that append.
   */
  u?: string;
}

/** Payload of an entry record. `t` (the append's server time) and `f` are on the last record of an append. */
export interface EntryPayload {
  s: number;
  id: string;
  at: string;
  kind: string;
  payload: JsonObject;
  refs: JsonObject;
  t?: string;
  /** The thread's firstSeq after this append (absent when 0). */
  f?: number;
}

/** Payload of a {@link RecordType.ThreadMeta} record: the thread's retention state from here on. */
export interface ThreadMetaPayload {
  /** firstSeq from here on. */
  f: number;
  /** The policy from here on; absent: unchanged. */
  r?: RetentionPolicy | null;
  /** Server time of the change (the thread's updatedAt). */
  t: string;
}

/** A journal whose committed part checked out. */
export interface ScannedJournal {
  kind: 'ok';
  header: ThreadHeaderPayload;
  /** Seq of the first entry record in the file (`offsets[0]`). */
  base: number;
  /** File offset of each entry's record, by seq - base. */
  offsets: number[];
  /** The thread's firstSeq (≥ base): entries below it were trimmed and are never read. */
  firstSeq: number;
  retention: RetentionPolicy | null;
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
 * structure (each append is a run of entry records whose `following` counts down to 0; a
 * rewritten journal may start inside one). Retention records (ThreadMeta) commit themselves
 * and are parsed (they are rare); firstSeq is the highest one recorded (header, retention
 * records, the last append's `f`).
 * A damaged or incomplete part with no valid record after it is a torn tail: everything from
 * the start of the incomplete append on is reported as cuttable. Damage with a valid record
 * after it is corruption. Parses only the header's, the retention records' and the last record's JSON. Does NOT modify
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
  let firstSeq = 0;
  let retention: RetentionPolicy | null = null;
  /** Time of the last committed retention record or self-committing header, and where it was. */
  let metaTime: string | null = null;
  let metaAt = -1;

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
      firstSeq = header.first ?? 0;
      retention = header.retention ?? null;
      if (typeof header.u === 'string') {
        metaTime = header.u;
        metaAt = 0;
      }
      committed = record.end;
    } else if (record.type === RecordType.ThreadMeta) {
      if (expect !== null || record.following !== 0) return corrupt(pos, 'retention record inside an append');
      let meta: ThreadMetaPayload;
      try {
        meta = parsePayload<ThreadMetaPayload>(record);
      } catch {
        return corrupt(pos, 'unreadable retention record');
      }
      if (!Number.isInteger(meta.f) || typeof meta.t !== 'string') return corrupt(pos, 'retention record lacks firstSeq or time');
      firstSeq = Math.max(firstSeq, meta.f);
      if (meta.r !== undefined) retention = meta.r;
      metaTime = meta.t;
      metaAt = pos;
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

  if (!header || (lastCommit === -1 && metaAt === -1)) return { kind: 'empty' };
  let updatedAt: string | undefined;
  if (lastCommit > metaAt) {
    const last = await readRecord(reader, lastCommit);
    try {
      if (typeof last !== 'string') {
        const payload = parsePayload<EntryPayload>(last);
        updatedAt = payload.t;
        if (Number.isInteger(payload.f)) firstSeq = Math.max(firstSeq, payload.f!);
      }
    } catch {
      // reported below
    }
    if (!updatedAt) return corrupt(lastCommit, 'last append has no readable commit time');
  } else {
    updatedAt = metaTime!;
  }
  const base = header.first ?? 0;
  const rev = base + offsets.length;
  if (firstSeq > rev) return corrupt(metaAt === -1 ? lastCommit : metaAt, `firstSeq ${firstSeq} is above the thread's rev ${rev}`);
  return { kind: 'ok', header, base, offsets, firstSeq, retention, size: committed, updatedAt, tornTail: committed < fileSize };
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
