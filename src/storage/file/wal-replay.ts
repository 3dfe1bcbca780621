import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageCorrupted } from '../../domain/errors.js';
import { ChunkReader } from './chunk-reader.js';
import { defaultFileIo, writeFully } from './file-io.js';
import { findValidRecord, readRecord } from './journal-scan.js';
import { journalName, WAL_NAME } from './names.js';
import { RecordType } from './record-codec.js';
import type { WalAppendPayload, WalDeletePayload } from './wal.js';

/** One logged event of a thread, in log order. */
type WalEvent = { kind: 'append'; off: number; bytes: Buffer } | { kind: 'delete' } | { kind: 'reset' };

/** What replaying the log did (part of the recovery report). */
export interface WalReplayReport {
  /** Log records replayed. */
  records: number;
  /** Threads whose journal was rewritten from the log, or removed by a logged delete. */
  threads: number;
  /** Bytes of a torn log tail that were ignored (never acknowledged). */
  tornBytes: number;
}

/** Outcome of {@link replayWal}. */
export interface WalReplayOutcome {
  /** Null when there was nothing to replay. */
  report: WalReplayReport | null;
  /** A generation above every segment found, for the next segment. */
  nextGeneration: number;
}

/**
 * Replays the write-ahead log segments (`WAL.<generation>`) in `directory` into the thread
 * journals in `threadsPath`, in generation order, then removes the segments and flushes the
 * directory. For each thread in the log, everything in its journal from the log's first write
 * of that thread on is untrusted (it was not flushed on its own): the journal is cut there and
 * the logged bytes are written again at their offsets and flushed; a logged delete removes the
 * journal and drops that thread's earlier log records; a logged reset (a compaction) drops them
 * and keeps the journal. A torn tail of the LAST segment (damage
 * with no valid record after it) is ignored; any other damage throws StorageCorrupted before
 * any file is changed (an earlier segment was flushed whole before the next one was used).
 * Holds the whole log in memory while replaying. Does NOT check the journals themselves (the
 * open-time scan does that next); a journal shorter than the log's offset gets a zero gap the
 * scan then reports as damage.
 */
export async function replayWal(
  directory: string,
  dataDir: FileHandle,
  threadsDir: FileHandle,
  threadsPath: string,
): Promise<WalReplayOutcome> {
  const segments = (await readdir(directory))
    .map((name) => ({ name, match: WAL_NAME.exec(name) }))
    .filter((x) => x.match)
    .map((x) => ({ path: join(directory, x.name), generation: Number(x.match![1]) }))
    .sort((a, b) => a.generation - b.generation);
  const nextGeneration = (segments.at(-1)?.generation ?? 0) + 1;
  if (segments.length === 0) return { report: null, nextGeneration };
  const threads = new Map<string, WalEvent[]>();
  let records = 0;
  let tornBytes = 0;
  /** A torn end found in a segment; only the last non-empty segment may have one. */
  let torn: { path: string; end: number } | null = null;
  for (const segment of segments) {
    const handle = await open(segment.path, 'r');
    try {
      const size = (await handle.stat()).size;
      if (size === 0) continue;
      if (torn) {
        throw new StorageCorrupted(
          'write-ahead log segment ends in damage but a later segment holds records (a segment is flushed whole before the next ' +
            'one is used); refusing to open. Move the log segments aside to open with the thread files as they are ' +
            '(appends acknowledged since the last checkpoint may be lost)',
          `${torn.path} at offset ${torn.end}`,
        );
      }
      const scanned = await scanWal(handle, size, segment.path, threads);
      records += scanned.records;
      if (scanned.end < size) torn = { path: segment.path, end: scanned.end };
      tornBytes += size - scanned.end;
    } finally {
      await handle.close();
    }
  }
  let dirChanged = false;
  for (const [key, events] of threads) {
    const [ns, id] = JSON.parse(key) as [string, string];
    dirChanged = (await replayThread(join(threadsPath, journalName(ns, id)), events)) || dirChanged;
  }
  if (dirChanged) await threadsDir.sync();
  for (const segment of segments) await unlink(segment.path);
  await dataDir.sync();
  return { report: records > 0 || tornBytes > 0 ? { records, threads: threads.size, tornBytes } : null, nextGeneration };
}

/** Reads one segment, adding its events to `threads`; `end` is where a torn tail starts (or the size). */
async function scanWal(
  handle: FileHandle,
  size: number,
  walPath: string,
  threads: Map<string, WalEvent[]>,
): Promise<{ records: number; end: number }> {
  const reader = new ChunkReader(handle, size);
  let records = 0;
  let pos = 0;
  /** A torn tail returns (the caller stops there); damage with a valid record after it throws. */
  const damage = async (at: number, reason: string): Promise<void> => {
    const later = await findValidRecord(reader, at + 1);
    if (later === -1) return;
    throw new StorageCorrupted(
      `write-ahead log is damaged (${reason}) and a valid record follows at offset ${later}; refusing to open. ` +
        'Move the log aside to open with the thread files as they are (appends acknowledged since the last checkpoint may be lost)',
      `${walPath} at offset ${at}`,
    );
  };
  while (pos < size) {
    const head = await readRecord(reader, pos);
    if (typeof head === 'string') {
      await damage(pos, head);
      break;
    }
    let event: WalEvent;
    let payload: WalAppendPayload | WalDeletePayload;
    try {
      payload = JSON.parse(head.payload.toString('utf8')) as WalAppendPayload | WalDeletePayload;
    } catch {
      await damage(pos, 'unreadable log record');
      break;
    }
    let next = head.end;
    if (head.type === RecordType.WalDelete) {
      event = { kind: 'delete' };
    } else if (head.type === RecordType.WalReset) {
      event = { kind: 'reset' };
    } else if (head.type === RecordType.WalAppend) {
      const { off, len } = payload as WalAppendPayload;
      const groupEnd = head.end + len;
      let at = head.end;
      let torn: string | null = null;
      while (at < groupEnd) {
        const record = await readRecord(reader, at);
        if (typeof record === 'string') {
          torn = record;
          break;
        }
        if (record.end > groupEnd) throw new StorageCorrupted('write-ahead log record overruns its group', `${walPath} at offset ${at}`);
        at = record.end;
      }
      if (torn !== null) {
        await damage(at, torn);
        break;
      }
      event = { kind: 'append', off, bytes: Buffer.from(await reader.view(head.end, len)).subarray(0, len) };
      next = groupEnd;
    } else {
      await damage(pos, `unexpected record type ${head.type}`);
      break;
    }
    const key = JSON.stringify([payload.ns, payload.id]);
    let list = threads.get(key);
    if (!list) threads.set(key, (list = []));
    list.push(event);
    records++;
    pos = next;
  }
  return { records, end: pos };
}

/**
 * Rewrites one journal from its log events; true when a file was created or removed. Only the
 * events after the last delete or reset count: a delete removes the journal first; a reset (a
 * compaction: the journal was flushed whole before it) keeps the journal as it is.
 */
async function replayThread(path: string, events: WalEvent[]): Promise<boolean> {
  const kinds = events.map((e) => e.kind);
  const lastDelete = kinds.lastIndexOf('delete');
  const lastMarker = Math.max(lastDelete, kinds.lastIndexOf('reset'));
  const appends = events.slice(lastMarker + 1) as Extract<WalEvent, { kind: 'append' }>[];
  let dirChanged = false;
  if (lastDelete !== -1 && lastDelete === lastMarker) {
    try {
      await unlink(path);
      dirChanged = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  if (appends.length === 0) return dirChanged;
  const base = appends[0]!.off;
  let expected = base;
  for (const a of appends) {
    if (a.off !== expected) {
      throw new StorageCorrupted(`write-ahead log skips bytes of a thread (offset ${a.off}, expected ${expected})`, path);
    }
    expected += a.bytes.length;
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    handle = await open(path, 'w+');
    dirChanged = true;
  }
  try {
    await handle.truncate(base);
    await writeFully(defaultFileIo, handle, Buffer.concat(appends.map((a) => a.bytes)), base);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return dirChanged;
}
