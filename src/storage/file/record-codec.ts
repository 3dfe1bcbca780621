import { crc32 } from 'node:zlib';

/**
 * The on-disk record: a 20-byte header, then a UTF-8 JSON payload.
 *
 * | bytes | field                                                                 |
 * |-------|-----------------------------------------------------------------------|
 * | 0..3  | magic `FF 43 52 4A` (0xFF never occurs in UTF-8, so never in a payload) |
 * | 4     | type (see {@link RecordType})                                          |
 * | 5..7  | zero                                                                  |
 * | 8..11 | payload length, u32 LE                                                |
 * | 12..15| entries that follow in the same append (0 = this record commits it)   |
 * | 16..19| CRC-32 of bytes 4..15 and the payload, u32 LE                          |
 *
 * The checksum detects torn and flipped bytes; it does NOT authenticate (no protection against a
 * deliberate forger).
 */
export const RECORD_HEADER_BYTES = 20;
const MAGIC = Buffer.from([0xff, 0x43, 0x52, 0x4a]);

/** Kinds of record. */
export const RecordType = {
  /** First record of a journal: the thread's identity and metadata. */
  ThreadHeader: 1,
  /** One journal entry. */
  Entry: 2,
  /** First record of a checkpoint file: its key. */
  CheckpointKey: 3,
  /** Second record of a checkpoint file: the checkpoint. */
  CheckpointBody: 4,
  /** Write-ahead log: the next `following` records are journal records of one thread write (`wal.ts`). */
  WalAppend: 5,
  /** Write-ahead log: a thread was deleted; earlier log records of it must not be replayed. */
  WalDelete: 6,
  /**
   * Journal: the thread's retention state changed (a trim: new firstSeq; a policy set or cleared).
   * One record, `following` 0, never inside an append (`journal-scan.ts`).
   */
  ThreadMeta: 7,
  /**
   * Write-ahead log: the thread's journal was flushed on its own and is about to be rewritten
   * (compaction); earlier log records of it must not be replayed (their offsets are the old file's).
   */
  WalReset: 8,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** Largest payload a record may declare (anything larger is treated as damage). */
const MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024;

/** Encodes one record around a JSON-serializable payload. */
export function encodeRecord(type: RecordType, following: number, payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + body.length);
  MAGIC.copy(record, 0);
  record.writeUInt32LE(type, 4);
  record.writeUInt32LE(body.length, 8);
  record.writeUInt32LE(following, 12);
  body.copy(record, RECORD_HEADER_BYTES);
  record.writeUInt32LE(checksum(record, 4, body.length), 16);
  return record;
}

/** A record decoded from a buffer; `payload` is still raw bytes. */
export interface DecodedRecord {
  type: number;
  following: number;
  /** Offset of the record's first byte in the buffer. */
  start: number;
  /** Offset just past the record. */
  end: number;
  payload: Buffer;
}

/** Why bytes at an offset are not a record. `short` means "the buffer ends inside the record". */
export type DecodeFailure = 'short' | 'bad-magic' | 'bad-length' | 'bad-checksum';

/**
 * Decodes the record at `buf[pos]`, checking magic, length and checksum. Returns the failure
 * reason instead of throwing; never reads past `buf.length`.
 */
export function decodeRecord(buf: Buffer, pos: number): DecodedRecord | DecodeFailure {
  if (buf.length - pos < RECORD_HEADER_BYTES) return 'short';
  if (buf.compare(MAGIC, 0, 4, pos, pos + 4) !== 0) return 'bad-magic';
  const length = buf.readUInt32LE(pos + 8);
  if (length > MAX_PAYLOAD_BYTES) return 'bad-length';
  const end = pos + RECORD_HEADER_BYTES + length;
  if (end > buf.length) return 'short';
  if (checksum(buf, pos + 4, length) !== buf.readUInt32LE(pos + 16)) return 'bad-checksum';
  return {
    type: buf.readUInt8(pos + 4),
    following: buf.readUInt32LE(pos + 12),
    start: pos,
    end,
    payload: buf.subarray(pos + RECORD_HEADER_BYTES, end),
  };
}

/** Reads the declared total size of the record at `buf[pos]` (header + payload), without checking it. */
export function declaredRecordSize(buf: Buffer, pos: number): number {
  return RECORD_HEADER_BYTES + buf.readUInt32LE(pos + 8);
}

/** Offset of the next record magic at or after `from`, or -1. */
export function findMagic(buf: Buffer, from: number): number {
  return buf.indexOf(MAGIC, from);
}

/** Parses a record's JSON payload. Throws SyntaxError on bad JSON (callers map it to corruption). */
export function parsePayload<T>(record: DecodedRecord): T {
  return JSON.parse(record.payload.toString('utf8')) as T;
}

function checksum(buf: Buffer, headerStart: number, payloadLength: number): number {
  const head = crc32(buf.subarray(headerStart, headerStart + 12));
  return crc32(buf.subarray(headerStart + 16, headerStart + 16 + payloadLength), head);
}
