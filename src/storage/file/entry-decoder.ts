import { StorageCorrupted } from '../../domain/errors.js';
import type { Entry } from '../../domain/types.js';
import type { EntryPayload } from './journal-scan.js';
import { decodeRecord, parsePayload, RecordType } from './record-codec.js';

/** Where a buffer of entry records came from. */
export interface EntrySource {
  path: string;
  threadId: string;
  /** File offset of the buffer's first byte. */
  start: number;
  /** Seq of the first record. */
  from: number;
  /** Records to decode. */
  count: number;
}

/**
 * Decodes `count` consecutive entry records, checking each one's checksum, type, JSON and seq.
 * Retention records between them (RecordType.ThreadMeta) are checked and passed over. Throws
 * StorageCorrupted naming the file and the record's offset; never skips an entry record.
 */
export function decodeEntries(buffer: Buffer, source: EntrySource): Entry[] {
  const entries: Entry[] = [];
  let pos = 0;
  for (let i = 0; i < source.count; i++) {
    const seq = source.from + i;
    const where = `${source.path} at offset ${source.start + pos}`;
    const record = decodeRecord(buffer, pos);
    if (typeof record !== 'string' && record.type === RecordType.ThreadMeta) {
      pos = record.end;
      i--;
      continue;
    }
    if (typeof record === 'string' || record.type !== RecordType.Entry) {
      const reason = typeof record === 'string' ? record : 'wrong type';
      throw new StorageCorrupted(`journal record of seq ${seq} is damaged (${reason})`, where);
    }
    let payload: EntryPayload;
    try {
      payload = parsePayload<EntryPayload>(record);
    } catch {
      throw new StorageCorrupted(`journal record of seq ${seq} is not valid JSON`, where);
    }
    if (payload.s !== seq) throw new StorageCorrupted(`journal record holds seq ${payload.s}, expected ${seq}`, where);
    entries.push({
      id: payload.id,
      threadId: source.threadId,
      seq,
      at: payload.at,
      kind: payload.kind,
      payload: payload.payload,
      refs: payload.refs,
    });
    pos = record.end;
  }
  return entries;
}
