import { rename, type FileHandle } from 'node:fs/promises';
import type { SyncIo } from './group-commit.js';

/**
 * The few file operations whose failures the adapter must survive (ENOSPC, EIO). Replaceable
 * through `createFileStorage({ io })` so fault tests can inject errors; production code never
 * passes it.
 */
export interface FileIo extends SyncIo {
  /** Writes `length` bytes of `buffer` at `position`; resolves with the bytes written (may be short). */
  write(handle: FileHandle, buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Cuts the file to `length` bytes. */
  truncate(handle: FileHandle, length: number): Promise<void>;
  /** Renames `from` over `to` (a compaction's temp file over the journal). */
  rename(from: string, to: string): Promise<void>;
}

/** The real operations. */
export const defaultFileIo: FileIo = {
  write: async (handle, buffer, offset, length, position) =>
    (await handle.write(buffer, offset, length, position)).bytesWritten,
  truncate: (handle, length) => handle.truncate(length),
  rename: (from, to) => rename(from, to),
  datasync: (handle) => handle.datasync(),
  fsync: (handle) => handle.sync(),
};

/** Writes all of `buffer` at `position`, looping over short writes. Throws on the first error. */
export async function writeFully(io: FileIo, handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const n = await io.write(handle, buffer, done, buffer.length - done, position + done);
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += n;
  }
}

/** Reads into `buffer` from `position` until it is full or the file ends; resolves with the bytes read. */
export async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/** An I/O error for a message: its code and message when it has a code. */
export function describeIoError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? error);
}
