import { Worker } from 'node:worker_threads';
import { StorageCorrupted, StorageUnavailable, type CryoError } from '../../domain/errors.js';

/** An error the worker reported: a SQLite error code, or one of its own types. */
export interface WorkerError {
  type: string;
  code?: string;
  message: string;
  location?: string;
}

interface Reply {
  id: number;
  value?: unknown;
  error?: WorkerError;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const WORKER_URL = new URL('./worker/main.js', import.meta.url);

/**
 * The main thread's side of the database worker (worker/main.js): starts it, sends requests,
 * matches replies by id. The worker keeps the process alive only while requests are pending.
 * If the worker dies, every pending and later request fails with StorageUnavailable. Does NOT
 * retry anything.
 */
export class WorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #path: string;
  #nextId = 1;
  #dead: Error | null = null;
  #exited: Promise<void>;

  private constructor(worker: Worker, path: string) {
    this.#worker = worker;
    this.#path = path;
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: Reply) => this.#settle(reply));
    worker.on('error', (error) => this.#die(new StorageUnavailable(`sqlite worker for ${path} failed: ${error.message}`, { cause: error })));
    worker.once('exit', (code) => this.#die(new StorageUnavailable(`sqlite storage ${path} is closed (worker exited with code ${code})`)));
  }

  /** Starts the worker on the database at `path`; resolves once it holds the database, or rejects with what kept it from opening. */
  static async start(path: string): Promise<WorkerClient> {
    const worker = new Worker(WORKER_URL, { workerData: { path }, stdout: false, stderr: false });
    const client = new WorkerClient(worker, path);
    const opened = new Promise<unknown>((resolve, reject) => client.#pending.set(0, { resolve, reject }));
    try {
      await opened;
    } catch (error) {
      await client.#exited;
      throw error;
    }
    worker.unref();
    return client;
  }

  /** Sends one request; resolves with the worker's value, rejects with a CryoError. */
  call<T>(op: string, args: unknown = null): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, op, args });
    });
  }

  /** Asks the worker to finish what it was sent, close the database and end; resolves when it has. Idempotent. */
  async close(): Promise<void> {
    if (!this.#dead) {
      this.#worker.ref();
      this.#worker.postMessage({ id: -1, op: 'close', args: null });
    }
    await this.#exited;
  }

  #settle(reply: Reply): void {
    if (reply.id === -1) return;
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0 && reply.id !== 0) this.#worker.unref();
    if (reply.error) pending.reject(toCryoError(reply.error, this.#path));
    else pending.resolve(reply.value);
  }

  #die(error: Error): void {
    this.#dead ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#dead);
    this.#pending.clear();
  }
}

/** Maps a worker error to the CryoError a caller sees. */
export function toCryoError(error: WorkerError, path: string): CryoError {
  const code = error.code ?? '';
  if (error.type === 'closed') return new StorageUnavailable(`sqlite storage ${path} is closed`);
  if (code === 'CRYO_CHECKSUM') return new StorageCorrupted(`sqlite storage ${path}: stored data failed its checksum`, error.location ?? null);
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StorageCorrupted(`sqlite storage ${path} is damaged: ${error.message} (${code})`, path);
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED') {
    return new StorageUnavailable(
      `sqlite storage ${path} is in use by another process (it holds SQLite's exclusive lock; one process per database file — use Redis to scale out)`,
    );
  }
  if (code === 'CRYO_NOT_A_STORE') return new StorageUnavailable(error.message);
  return new StorageUnavailable(`sqlite storage ${path}: ${error.message}${code ? ` (${code})` : ''}`);
}
