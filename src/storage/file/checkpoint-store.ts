import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPutCheckpoint, mayBeReplay, nextCheckpoint, type PointedThread, type PreparedCheckpoint } from '../../domain/checkpoint.js';
import { StorageCorrupted, StorageUnavailable } from '../../domain/errors.js';
import type { Checkpoint } from '../../domain/types.js';
import type { LocalChangeFeed } from '../local-change-feed.js';
import type { CheckpointKey } from '../prepare-options.js';
import type { Page } from '../types.js';
import { writeFully, type FileIo } from './file-io.js';
import type { GroupCommit } from './group-commit.js';
import { KeyedMutex } from './keyed-mutex.js';
import { CHECKPOINT_NAME, CHECKPOINT_TEMP_NAME, checkpointName } from './names.js';
import { decodeRecord, declaredRecordSize, encodeRecord, parsePayload, RECORD_HEADER_BYTES, RecordType } from './record-codec.js';
import { SortedIndex } from './sorted-index.js';
import type { IndexedPointer, PointerIndex } from './pointer-index.js';
import type { Problem, RecoveryReport } from './recovery.js';

/**
 * The first record of a checkpoint file: enough to index it without reading the state. `thread`
 * (the pointer, for the reverse index) is absent in files written before retention: open reads
 * their body once to find it.
 */
interface KeyPayload {
  v: 1;
  ns: string;
  agentType: string;
  agentId: string;
  rev: number;
  createdAt: string;
  thread?: Checkpoint['thread'];
}

interface Indexed {
  rev: number;
  createdAt: string;
  /** Its entry in the reverse index (null: no pointer). */
  pointer: IndexedPointer | null;
}

const SEP = '\u0000';
const composite = (agentType: string, agentId: string): string => `${agentType}${SEP}${agentId}`;

/**
 * Checkpoints of the file adapter: one file per checkpoint (key record + body record, each
 * checksummed), replaced atomically by write-to-temp, flush, rename, directory flush. An
 * in-memory index (key → rev, createdAt; sorted keys per namespace) is built at open by reading
 * each file's small key record, so puts and listings never scan the directory. Puts and deletes
 * are serialized per key. Does NOT keep states in memory (each get reads its file), and a
 * damaged file is refused (StorageCorrupted) until the checkpoint is deleted.
 */
export class CheckpointStore {
  readonly #index = new Map<string, Indexed>();
  readonly #sorted = new SortedIndex();
  readonly #corrupted = new Map<string, Problem>();
  readonly #mutex = new KeyedMutex();

  constructor(
    readonly directory: string,
    readonly dir: FileHandle,
    readonly commit: GroupCommit,
    readonly io: FileIo,
    readonly changes: LocalChangeFeed,
    readonly now: () => Date,
    readonly pointers: PointerIndex,
  ) {}

  /** Builds the index from the directory; removes leftover temp files. */
  async load(report: RecoveryReport, strict: boolean): Promise<void> {
    for (const name of await readdir(this.directory)) {
      const path = join(this.directory, name);
      if (CHECKPOINT_TEMP_NAME.test(name)) {
        await unlink(path);
        report.removed.push(path);
        continue;
      }
      if (!CHECKPOINT_NAME.test(name)) continue;
      const key = await readKey(path).catch((error: unknown) => error);
      if (key instanceof StorageCorrupted || !isKey(key) || checkpointName(key.ns, key.agentType, key.agentId) !== name) {
        this.#damaged(name, path, key instanceof Error ? key.message : 'file name does not match its key', report, strict);
        continue;
      }
      let thread = key.thread;
      if (thread === undefined) {
        const body = await readCheckpoint(path, { namespace: key.ns, agentType: key.agentType, agentId: key.agentId }).catch(
          (error: unknown) => error,
        );
        if (!body || body instanceof Error) {
          this.#damaged(name, path, body instanceof Error ? body.message : 'vanished', report, strict);
          continue;
        }
        thread = (body as Checkpoint).thread;
      }
      const pointer = this.#pointerOf(key.ns, key.agentType, key.agentId, thread);
      if (pointer) this.pointers.add(pointer);
      this.#index.set(mapKey(key.ns, key.agentType, key.agentId), { rev: key.rev, createdAt: key.createdAt, pointer });
      this.#sorted.add(key.ns, composite(key.agentType, key.agentId));
    }
  }

  /** Records a checkpoint file open cannot index (strict: throws StorageCorrupted instead). */
  #damaged(name: string, path: string, reason: string, report: RecoveryReport, strict: boolean): void {
    const problem: Problem = { file: path, offset: 0, reason };
    if (strict) throw new StorageCorrupted(`checkpoint file is damaged: ${reason}`, `${path} at offset 0`);
    this.#corrupted.set(name, problem);
    report.corrupted.push(problem);
  }

  #pointerOf(namespace: string, agentType: string, agentId: string, thread: Checkpoint['thread'] | undefined): IndexedPointer | null {
    if (!thread) return null;
    return { namespace, threadId: thread.id, rev: thread.rev, life: thread.life, agentType, agentId };
  }

  async get(key: CheckpointKey): Promise<Checkpoint | null> {
    this.#assertReadable(key);
    if (!this.#index.has(mapKey(key.namespace, key.agentType, key.agentId))) return null;
    return readCheckpoint(this.#path(key), key);
  }

  /**
   * Upsert; `pointed` gives the durable rev, the firstSeq (trims in flight included) and the life
   * of the pointed-at thread (null when missing). The check and the new pointer's entry in the
   * reverse index happen in one synchronous step, so no trim can pass between them (see
   * PointerIndex). A replay (see checkPutCheckpoint) reads the stored file and returns it, writing nothing.
   */
  put(request: PreparedCheckpoint, pointed: (threadId: string) => PointedThread | null): Promise<Checkpoint> {
    // Copied now, before any wait: the caller may change its state object while this call is in flight.
    const put: PreparedCheckpoint = { ...request, state: structuredClone(request.state) };
    return this.#mutex.run(mapKey(put.namespace, put.agentType, put.agentId), async () => {
      const key: CheckpointKey = { namespace: put.namespace, agentType: put.agentType, agentId: put.agentId };
      this.#assertReadable(key);
      const indexed = this.#index.get(mapKey(key.namespace, key.agentType, key.agentId));
      let current = indexed ? ({ rev: indexed.rev, createdAt: indexed.createdAt } as Checkpoint) : null;
      // Only a put that may be a replay needs the stored state; every other put reads no file.
      if (indexed && mayBeReplay(put, indexed.rev)) current = await readCheckpoint(this.#path(key), key);
      const thread = put.thread ? pointed(put.thread.id) : null;
      if (checkPutCheckpoint(put, current, thread) === 'replay') return current!;
      const next = nextCheckpoint(put, current, thread, this.now());
      const pointer = this.#pointerOf(key.namespace, key.agentType, key.agentId, next.thread);
      if (pointer) this.pointers.add(pointer);
      const keyPayload: KeyPayload = {
        v: 1,
        ns: key.namespace,
        agentType: key.agentType,
        agentId: key.agentId,
        rev: next.rev,
        createdAt: next.createdAt,
        thread: next.thread,
      };
      const bytes = Buffer.concat([
        encodeRecord(RecordType.CheckpointKey, 1, keyPayload),
        encodeRecord(RecordType.CheckpointBody, 0, next),
      ]);
      try {
        await this.#replace(this.#path(key), bytes);
      } catch (error) {
        // The file may or may not have been replaced (a failed directory flush): keep both pointers
        // indexed then; only a put that certainly wrote nothing drops its new one.
        if (pointer && !(error instanceof DirectoryFlushFailed)) this.pointers.remove(pointer);
        throw error;
      }
      if (indexed?.pointer) this.pointers.remove(indexed.pointer);
      this.#index.set(mapKey(key.namespace, key.agentType, key.agentId), { rev: next.rev, createdAt: next.createdAt, pointer });
      this.#sorted.add(key.namespace, composite(key.agentType, key.agentId));
      this.changes.publish({ type: 'checkpoint-saved', namespace: key.namespace, agentType: key.agentType, agentId: key.agentId, rev: next.rev });
      return next;
    });
  }

  delete(key: CheckpointKey): Promise<boolean> {
    return this.#mutex.run(mapKey(key.namespace, key.agentType, key.agentId), async () => {
      const name = checkpointName(key.namespace, key.agentType, key.agentId);
      const corrupted = this.#corrupted.has(name);
      if (!corrupted && !this.#index.has(mapKey(key.namespace, key.agentType, key.agentId))) return false;
      await unlink(this.#path(key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw new StorageUnavailable(`cannot delete ${this.#path(key)}: ${error.message}`, { cause: error });
      });
      this.#corrupted.delete(name);
      const pointer = this.#index.get(mapKey(key.namespace, key.agentType, key.agentId))?.pointer;
      if (pointer) this.pointers.remove(pointer);
      this.#index.delete(mapKey(key.namespace, key.agentType, key.agentId));
      this.#sorted.delete(key.namespace, composite(key.agentType, key.agentId));
      await this.#syncDir();
      this.changes.publish({ type: 'checkpoint-deleted', ...key });
      return true;
    });
  }

  async list(
    namespace: string,
    agentType: string | null,
    first: number,
    after: { agentType: string; agentId: string } | null,
  ): Promise<Page<Checkpoint>> {
    let from = after ? composite(after.agentType, after.agentId) : null;
    let until: string | null = null;
    if (agentType !== null) {
      const start = `${agentType}${SEP}`;
      if (from === null || from < start) from = start;
      until = `${agentType}\u0001`;
    }
    const keys = this.#sorted.page(namespace, from, first + 1, until);
    const read = await Promise.all(
      keys.slice(0, first).map((k) => {
        const at = k.indexOf(SEP);
        return this.get({ namespace, agentType: k.slice(0, at), agentId: k.slice(at + 1) });
      }),
    );
    return { items: read.filter((c): c is Checkpoint => c !== null), hasMore: keys.length > first };
  }

  /** The namespaces holding at least one checkpoint. */
  namespaces(): string[] {
    return this.#sorted.namespaces();
  }

  #assertReadable(key: CheckpointKey): void {
    const problem = this.#corrupted.get(checkpointName(key.namespace, key.agentType, key.agentId));
    if (problem) {
      throw new StorageCorrupted(
        `checkpoint ${JSON.stringify(key.agentType)}/${JSON.stringify(key.agentId)} is damaged (${problem.reason}); delete it to discard it`,
        `${problem.file} at offset ${problem.offset}`,
      );
    }
  }

  #path(key: CheckpointKey): string {
    return join(this.directory, checkpointName(key.namespace, key.agentType, key.agentId));
  }

  async #replace(path: string, bytes: Buffer): Promise<void> {
    const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      const handle = await open(temp, 'wx');
      try {
        await writeFully(this.io, handle, bytes, 0);
        await this.commit.sync(handle);
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw new StorageUnavailable(`cannot write checkpoint ${path}: ${(error as Error).message}`, { cause: error });
    }
    await this.#syncDir();
  }

  async #syncDir(): Promise<void> {
    try {
      await this.commit.sync(this.dir, true);
    } catch (error) {
      throw new DirectoryFlushFailed(`cannot flush ${this.directory}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** The checkpoint file was renamed into place but the directory flush failed: the put may have taken effect. */
class DirectoryFlushFailed extends StorageUnavailable {}

function mapKey(namespace: string, agentType: string, agentId: string): string {
  return JSON.stringify([namespace, agentType, agentId]);
}

function isKey(value: unknown): value is KeyPayload {
  const key = value as KeyPayload;
  return typeof key === 'object' && key !== null && typeof key.ns === 'string' && typeof key.agentType === 'string' &&
    typeof key.agentId === 'string' && Number.isInteger(key.rev) && typeof key.createdAt === 'string';
}

/** Reads only the key record at the start of a checkpoint file. */
async function readKey(path: string): Promise<KeyPayload> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(RECORD_HEADER_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < head.length) throw new StorageCorrupted('checkpoint file is too short', path);
    const full = Buffer.alloc(Math.min(declaredRecordSize(head, 0), 1024 * 1024));
    await handle.read(full, 0, full.length, 0);
    const record = decodeRecord(full, 0);
    if (typeof record === 'string' || record.type !== RecordType.CheckpointKey) {
      throw new StorageCorrupted(`checkpoint key record is damaged (${typeof record === 'string' ? record : 'wrong type'})`, path);
    }
    return parsePayload<KeyPayload>(record);
  } finally {
    await handle.close();
  }
}

/** Reads and checks a whole checkpoint file; null when it is gone. */
async function readCheckpoint(path: string, key: CheckpointKey): Promise<Checkpoint | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageUnavailable(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const head = decodeRecord(bytes, 0);
  const body = typeof head === 'string' ? head : decodeRecord(bytes, head.end);
  const offset = typeof head === 'string' ? 0 : head.end;
  if (typeof head === 'string' || typeof body === 'string' || body.type !== RecordType.CheckpointBody || body.end !== bytes.length) {
    throw new StorageCorrupted(`checkpoint file is damaged (${typeof body === 'string' ? body : 'bad structure'})`, `${path} at offset ${offset}`);
  }
  let parsed: KeyPayload;
  let checkpoint: Checkpoint;
  try {
    parsed = parsePayload<KeyPayload>(head);
    checkpoint = parsePayload<Checkpoint>(body);
  } catch {
    throw new StorageCorrupted('checkpoint file holds invalid JSON', `${path} at offset 0`);
  }
  if (parsed.ns !== key.namespace || checkpoint.agentType !== key.agentType || checkpoint.agentId !== key.agentId) {
    throw new StorageCorrupted('checkpoint file belongs to another key', `${path} at offset 0`);
  }
  return checkpoint;
}
