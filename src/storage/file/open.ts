import { mkdir, open, readdir, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageUnavailable } from '../../domain/errors.js';
import { DEFAULT_LIMITS } from '../../domain/limits.js';
import { LocalChangeFeed } from '../local-change-feed.js';
import { FileApiKeys } from './api-key-file.js';
import { CheckpointStore } from './checkpoint-store.js';
import { acquireDirLock } from './dir-lock.js';
import { DEFAULT_FILE_DURABILITY } from './durability.js';
import { defaultFileIo, type FileIo } from './file-io.js';
import { FileStorageImpl } from './file-storage.js';
import { GroupCommit } from './group-commit.js';
import { HandlePool } from './handle-pool.js';
import { DEFAULT_COMPACT_MIN_BYTES } from './journal-file.js';
import { CHECKPOINTS_DIR, FORMAT_FILE, LOCK_FILE, THREADS_DIR } from './names.js';
import { PointerIndex } from './pointer-index.js';
import { emptyRecoveryReport } from './recovery.js';
import { ThreadStore } from './thread-store.js';
import type { FileStorage, FileStorageOptions } from './types.js';
import { WriteAheadLog } from './wal.js';
import { replayWal } from './wal-replay.js';

const FORMAT = 'cryo-file 1\n';

/**
 * Opens the data directory `directory` (absolute): creates it and its layout when needed, takes
 * the lock, checks the format, replays a write-ahead log left by a crash, then scans every
 * journal and checkpoint key (cutting torn tails, recording damage in the recovery report).
 * On any failure releases what it took and rethrows.
 */
export async function openFileStorage(directory: string, options: FileStorageOptions): Promise<FileStorage> {
  await mkdir(directory, { recursive: true });
  const lock = await acquireDirLock(directory);
  const handles: FileHandle[] = [];
  let wal: WriteAheadLog | null = null;
  try {
    await checkFormat(directory);
    await mkdir(join(directory, THREADS_DIR), { recursive: true });
    await mkdir(join(directory, CHECKPOINTS_DIR), { recursive: true });
    const io: FileIo = { ...defaultFileIo, ...options.io };
    const commit = new GroupCommit(io);
    const threadsDir = await open(join(directory, THREADS_DIR), 'r');
    handles.push(threadsDir);
    const checkpointsDir = await open(join(directory, CHECKPOINTS_DIR), 'r');
    handles.push(checkpointsDir);
    const recovery = emptyRecoveryReport();
    const dataDir = await open(directory, 'r');
    handles.push(dataDir);
    const replayed = await replayWal(directory, dataDir, threadsDir, join(directory, THREADS_DIR));
    if (replayed.report) recovery.wal = replayed.report;
    const durability = options.durability ?? DEFAULT_FILE_DURABILITY;
    const pool = new HandlePool(options.maxOpenFiles ?? 256);
    let walCommit: GroupCommit | null = null;
    if (durability === 'wal') {
      const walIo: FileIo = { ...defaultFileIo, ...options.walIo };
      walCommit = new GroupCommit(walIo);
      const maxBytes = options.walMaxBytes ?? 64 * 1024 * 1024;
      const walContext = { directory, dataDir, io: walIo, commit: walCommit, threadCommit: commit, threadsDir, maxBytes };
      wal = await WriteAheadLog.create(walContext, replayed.nextGeneration);
    }
    await syncDirectory(directory);
    const changes = new LocalChangeFeed();
    const now = options.now ?? (() => new Date());
    const pointers = new PointerIndex();
    const compactMinBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
    const threads = new ThreadStore(join(directory, THREADS_DIR), { pool, commit, io, dir: threadsDir, wal, compactMinBytes }, changes, pointers);
    const checkpoints = new CheckpointStore(join(directory, CHECKPOINTS_DIR), checkpointsDir, commit, io, changes, now, pointers);
    await threads.load(recovery, options.strict ?? false);
    await checkpoints.load(recovery, options.strict ?? false);
    const apiKeys = await FileApiKeys.load(directory, changes);
    const storage = new FileStorageImpl(directory, { ...DEFAULT_LIMITS, ...options.limits }, now, changes, threads, checkpoints, {
      lock,
      pool,
      commit,
      walCommit,
      wal,
      durability,
      handles,
      recovery,
      apiKeys,
    });
    // Compactions a crash interrupted run now, in the background (close waits for them).
    threads.compactWhereDue();
    return storage;
  } catch (error) {
    await wal?.close().catch(() => {});
    await Promise.all(handles.map((h) => h.close().catch(() => {})));
    await lock.release();
    throw error;
  }
}

async function checkFormat(directory: string): Promise<void> {
  const path = join(directory, FORMAT_FILE);
  let found: string;
  try {
    found = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const foreign = (await readdir(directory)).filter((name) => !name.startsWith(LOCK_FILE));
    if (foreign.length > 0) {
      throw new StorageUnavailable(
        `${directory} is not empty and not a Cryo file storage (no ${FORMAT_FILE} file; found ${foreign.slice(0, 3).join(', ')}): ` +
          'use an empty or new directory',
      );
    }
    await writeFile(path, FORMAT, { flush: true });
    return;
  }
  if (found !== FORMAT) {
    throw new StorageUnavailable(`${directory} is not a Cryo file storage of this version (${path} says ${JSON.stringify(found.trim())})`);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
