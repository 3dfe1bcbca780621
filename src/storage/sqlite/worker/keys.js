// @ts-check
/**
 * Encodings shared by the worker's statements: ordered keys, times and checksums.
 */
import { crc32 } from 'node:zlib';

/**
 * A string as UTF-16BE bytes: comparing these byte-wise (SQLite's BLOB order) is comparing the
 * strings by UTF-16 code unit, as JavaScript does.
 * @param {string} value
 * @returns {Buffer}
 */
export function orderedKey(value) {
  return Buffer.from(value, 'utf16le').swap16();
}

/**
 * The string {@link orderedKey} encoded.
 * @param {Uint8Array} key
 * @returns {string}
 */
export function fromOrderedKey(key) {
  return Buffer.from(key).swap16().toString('utf16le');
}

/**
 * The checksum stored with an entry: CRC-32 of its seq and every stored column.
 * @param {number} seq
 * @param {string} id
 * @param {number} at
 * @param {string} kind
 * @param {string} payload
 * @param {string} refs
 */
export function entryCrc(seq, id, at, kind, payload, refs) {
  return crc32(`${seq}\n${id}\n${at}\n${kind}\n${payload}\n${refs}`);
}

/**
 * The checksum stored with a checkpoint: CRC-32 of its rev, version, state and pointer.
 * @param {{ rev: number, version: number, state: string, thread_id: string | null, thread_rev: number | null, thread_life: string | null }} row
 */
export function checkpointCrc(row) {
  return crc32(`${row.rev}\n${row.version}\n${row.state}\n${row.thread_id}\n${row.thread_rev}\n${row.thread_life}`);
}

/** A stored value failed its checksum. */
export class ChecksumMismatch extends Error {
  /** @param {string} location */
  constructor(location) {
    super(`checksum mismatch in ${location}`);
    this.code = 'CRYO_CHECKSUM';
    this.location = location;
  }
}
