import { open, readFile, rename, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StorageCorrupted, StorageUnavailable } from 'cryo/storage';

/**
 * An append-only file of JSON lines: one line per committed write. `append` returns after the
 * line is on disk (fdatasync), so an acknowledged write survives a crash. A last line without its
 * newline is a write that crashed before it was acknowledged: opening cuts it off. A complete
 * line that is not JSON is damage: opening throws StorageCorrupted naming the line.
 *
 * One process at a time: opening takes `<file>.lock` (created exclusively, holding the pid; a
 * lock whose process is gone is taken over). Not promised: checksums (a flipped bit inside a
 * valid JSON line goes unnoticed), or sharing the file across machines.
 */
export class LogFile {
  #handle: FileHandle;
  /** Set after a failed write: the file may end in a partial line until a reopen cuts it off. */
  #broken: StorageUnavailable | null = null;
  #closed = false;

  private constructor(
    readonly path: string,
    handle: FileHandle,
  ) {
    this.#handle = handle;
  }

  /** Opens (creating it if needed) and reads the log: every complete line, parsed, in order. */
  static async open(path: string): Promise<{ log: LogFile; lines: unknown[] }> {
    await takeLock(path);
    try {
      const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      const end = text.lastIndexOf('\n') + 1;
      const lines = text
        .slice(0, end)
        .split('\n')
        .slice(0, -1)
        .map((line, i) => {
          try {
            return JSON.parse(line) as unknown;
          } catch {
            throw new StorageCorrupted('a log line is not JSON', `${path}:${i + 1}`);
          }
        });
      const handle = await open(path, 'a');
      // A torn last line (a write that crashed before fdatasync returned) was never acknowledged.
      const kept = Buffer.byteLength(text.slice(0, end));
      if (kept < Buffer.byteLength(text)) await handle.truncate(kept);
      return { log: new LogFile(path, handle), lines };
    } catch (error) {
      await releaseLock(path);
      throw error;
    }
  }

  /**
   * Appends one record and waits until it is on disk. The caller must not start the next append
   * before this one settled. After a failed write the log refuses every call (StorageUnavailable):
   * the file may end in a partial line, which only a reopen cuts off.
   */
  async append(record: unknown): Promise<void> {
    this.#usable();
    try {
      await this.#handle.appendFile(`${JSON.stringify(record)}\n`);
      await this.#handle.datasync();
    } catch (error) {
      this.#broken = new StorageUnavailable(`write to ${this.path} failed; reopen the storage`, { cause: error });
      throw this.#broken;
    }
  }

  /**
   * Replaces the whole log with `records` (compaction: drops trimmed entries and overwritten
   * records). Atomic: a crash leaves the old log or the new one, never a mix (write a temporary
   * file, fsync it, rename it over the log, fsync the directory).
   */
  async rewrite(records: readonly unknown[]): Promise<void> {
    this.#usable();
    const temporary = join(dirname(this.path), `.${basename(this.path)}.compact`);
    await writeFile(temporary, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const written = await open(temporary, 'r+');
    await written.sync();
    await written.close();
    await this.#handle.close();
    await rename(temporary, this.path);
    const directory = await open(dirname(this.path), 'r');
    await directory.sync().finally(() => directory.close());
    this.#handle = await open(this.path, 'a');
  }

  /** Closes the file and releases the lock. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
    await releaseLock(this.path);
  }

  #usable(): void {
    if (this.#closed) throw new StorageUnavailable('storage closed');
    if (this.#broken) throw this.#broken;
  }
}

async function takeLock(path: string): Promise<void> {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StorageUnavailable(`cannot create ${lock}`, { cause: error });
      const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new StorageUnavailable(`${path} is in use by process ${pid} (${lock})`);
      }
      await unlink(lock).catch(() => undefined); // the holder is gone: take the lock over
    }
  }
  throw new StorageUnavailable(`cannot take ${lock}`);
}

async function releaseLock(path: string): Promise<void> {
  await unlink(`${path}.lock`).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
