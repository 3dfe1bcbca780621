import type { FileHandle } from 'node:fs/promises';
import { readFully } from './file-io.js';

const CHUNK_BYTES = 1024 * 1024;

/**
 * Sequential-friendly positional reads over a file of known size: serves views from one buffered
 * chunk and reads a new chunk (at least 1 MiB) only when a view falls outside it. Views are
 * shorter than asked at the end of the file. Does NOT see bytes written after construction
 * beyond `size`.
 */
export class ChunkReader {
  #buf = Buffer.alloc(0);
  #start = 0;

  constructor(
    readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** Bytes from `pos`, at least `n` of them unless the file ends first; index 0 is `pos`. */
  async view(pos: number, n: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(n, this.size - pos));
    if (pos >= this.#start && pos + want <= this.#start + this.#buf.length) {
      return this.#buf.subarray(pos - this.#start);
    }
    const length = Math.min(Math.max(want, CHUNK_BYTES), this.size - pos);
    const buf = Buffer.allocUnsafe(length);
    this.#buf = buf.subarray(0, await readFully(this.handle, buf, pos));
    this.#start = pos;
    return this.#buf;
  }
}
