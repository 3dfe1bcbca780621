import { open, unlink } from 'node:fs/promises';
import { StorageUnavailable } from '../../domain/errors.js';
import { describeIoError, readFully, writeFully } from './file-io.js';
import type { JournalContext } from './journal-file.js';
import { journalTempPath } from './names.js';

/** What {@link rewriteJournal} needs; `swap` runs the rename and switches the caller's in-memory state. */
export interface RewriteJob {
  ctx: JournalContext;
  path: string;
  namespace: string;
  threadId: string;
  /** The new file's header record. */
  header: Buffer;
  /** Offset of the first byte kept (the first retained entry record); everything after it is copied. */
  liveStart: number;
  /** The journal's committed length. */
  size: number;
  swap: (rename: () => Promise<void>) => Promise<void>;
  /** Called when the rename happened but its directory flush failed (the caller fences the journal). */
  fail: (error: unknown) => void;
}

const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * The crash-safe rewrite behind a compaction (README.md, "Retention"):
 * 1. `'wal'` mode only: the journal is flushed on its own, then a reset is logged and flushed,
 *    so a replay drops the thread's earlier log records (their offsets are the old file's).
 * 2. `<journal>.compact` gets the new header and the retained bytes, copied as they are, and is
 *    flushed.
 * 3. It is renamed over the journal (`swap`), then the directory is flushed.
 * A crash before 3 leaves the old journal, complete and holding its trims (the temp file is
 * removed at open); after the rename, the new one. Either way nothing retained is lost and the
 * trims recorded before stay in force (the new header carries firstSeq). Call with the thread's
 * appends settled and blocked. Throws StorageUnavailable; resolves true once done.
 */
export async function rewriteJournal(job: RewriteJob): Promise<boolean> {
  const { ctx, path } = job;
  const temp = journalTempPath(path);
  try {
    if (ctx.wal) {
      const handle = await open(path, 'r');
      try {
        await ctx.commit.sync(handle);
      } finally {
        await handle.close();
      }
      await ctx.wal.reset(job.namespace, job.threadId);
    }
    const source = await open(path, 'r');
    try {
      const out = await open(temp, 'w');
      try {
        await writeFully(ctx.io, out, job.header, 0);
        let at = job.header.length;
        const buffer = Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, Math.max(1, job.size - job.liveStart)));
        for (let pos = job.liveStart; pos < job.size; ) {
          const n = await readFully(source, buffer.subarray(0, Math.min(buffer.length, job.size - pos)), pos);
          if (n === 0) throw new Error(`journal ended at ${pos}, expected ${job.size} bytes`);
          await writeFully(ctx.io, out, buffer.subarray(0, n), at);
          pos += n;
          at += n;
        }
        await ctx.commit.sync(out);
      } finally {
        await out.close();
      }
    } finally {
      await source.close();
    }
    await job.swap(() => ctx.io.rename(temp, path));
  } catch (error) {
    await unlink(temp).catch(() => {});
    if (error instanceof StorageUnavailable) throw error;
    throw new StorageUnavailable(`compaction of ${path} failed: ${describeIoError(error)}`, { cause: error });
  }
  try {
    await ctx.commit.sync(ctx.dir, true);
  } catch (error) {
    job.fail(error);
    throw new StorageUnavailable(`flush of the threads directory after compacting ${path} failed: ${describeIoError(error)}`, { cause: error });
  }
  return true;
}
