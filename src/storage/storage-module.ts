import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { OpenStorageOptions } from './open.js';
import type { Storage } from './types.js';
import { redactStorageUrl } from './url-scheme.js';

/**
 * Loading a storage adapter from outside Cryo (`CRYO_STORAGE_MODULE` / `--storage-module`,
 * docs/adapters.md): a module whose export `createStorage(url, options)` opens a Storage for URLs
 * whose scheme the server does not know. Every failure is a {@link StorageModuleError} saying
 * which step failed; nothing is retried.
 */

/** What a storage module exports: opens the store a URL names. The caller owns the result and closes it. */
export type CreateStorage = (url: string, options: OpenStorageOptions) => Promise<Storage> | Storage;

/** The shape `CRYO_STORAGE_MODULE` must have. */
export interface StorageModule {
  createStorage: CreateStorage;
}

/** Why loading or opening through a storage module failed. */
export type StorageModuleFailure =
  /** No file at the path, or no such package. */
  | 'not-found'
  /** The module was found but importing it threw (a syntax error, a missing dependency…). */
  | 'load-failed'
  /** The module has no `createStorage` function, or what it returned is not a Storage. */
  | 'wrong-shape'
  /** `createStorage` threw or rejected. */
  | 'open-failed';

/**
 * A storage module could not be used. `exitCode` is what `cryo serve` / `npm start` exit with:
 * 2 for a setting that names nothing usable (not-found, wrong-shape), 1 for a module that failed
 * at run time (load-failed, open-failed). `cause` holds the original error, if any.
 */
export class StorageModuleError extends Error {
  override readonly name = 'StorageModuleError';
  readonly exitCode: 1 | 2;
  constructor(
    readonly failure: StorageModuleFailure,
    readonly specifier: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`storage module ${JSON.stringify(specifier)}: ${detail}`, options);
    this.exitCode = failure === 'not-found' || failure === 'wrong-shape' ? 2 : 1;
  }
}

/** The methods a Storage must have (checked on what createStorage returns). */
const STORAGE_METHODS = [
  'getCheckpoint',
  'putCheckpoint',
  'deleteCheckpoint',
  'listCheckpoints',
  'appendEntries',
  'readEntries',
  'readTail',
  'getThread',
  'deleteThread',
  'listThreads',
  'trimThread',
  'setThreadRetention',
  'sweepRetention',
  'createApiKey',
  'getApiKey',
  'listApiKeys',
  'revokeApiKey',
  'ping',
  'close',
] as const;
const FEED_METHODS = ['subscribeThread', 'subscribeCheckpoints', 'subscribeApiKeys'] as const;

/** True for a specifier that names a file (relative, absolute, or a file: URL) rather than a package. */
function isPath(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('file:') || isAbsolute(specifier);
}

/** `@scope/name` or `name` of a package specifier with an optional subpath. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Imports a storage module and checks its shape. A path resolves against `cwd`; a package name
 * resolves from Cryo's own installation (the node_modules Cryo is installed in). Does not call
 * `createStorage`.
 */
export async function loadStorageModule(specifier: string, cwd: string = process.cwd()): Promise<StorageModule> {
  if (specifier.trim() === '') throw new StorageModuleError('not-found', specifier, 'the module setting is empty');
  let url = specifier;
  if (isPath(specifier)) {
    const file = specifier.startsWith('file:') ? filePathOf(specifier) : resolve(cwd, specifier);
    if (file === null) throw new StorageModuleError('not-found', specifier, 'not a file URL of this machine');
    const found = await stat(file).then((s) => s.isFile(), () => false);
    if (!found) throw new StorageModuleError('not-found', specifier, `no file at ${file}`);
    url = pathToFileURL(file).href;
  }
  let loaded: unknown;
  try {
    loaded = await import(url);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const firstQuoted = /'([^']+)'/.exec(String((error as Error).message))?.[1];
    if (!isPath(specifier) && code === 'ERR_MODULE_NOT_FOUND' && (firstQuoted === specifier || firstQuoted === packageName(specifier))) {
      throw new StorageModuleError('not-found', specifier, `no package ${JSON.stringify(packageName(specifier))} is installed where Cryo is`, { cause: error });
    }
    throw new StorageModuleError('load-failed', specifier, `importing it failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
  const createStorage = (loaded as { createStorage?: unknown }).createStorage;
  if (typeof createStorage !== 'function') {
    const exported = Object.keys(loaded as object);
    throw new StorageModuleError(
      'wrong-shape',
      specifier,
      `it must export a function createStorage(url, options); it exports ${exported.length === 0 ? 'nothing' : exported.join(', ')}`,
    );
  }
  return { createStorage: createStorage as CreateStorage };
}

/**
 * Opens `url` through a storage module: loads it ({@link loadStorageModule}), calls
 * `createStorage(url, options)` and checks that the result has every Storage method and a
 * change feed (else closes it if it can and throws 'wrong-shape').
 */
export async function openWithStorageModule(specifier: string, url: string, options: OpenStorageOptions): Promise<Storage> {
  const { createStorage } = await loadStorageModule(specifier);
  let storage: unknown;
  try {
    storage = await createStorage(url, options);
  } catch (error) {
    throw new StorageModuleError('open-failed', specifier, `createStorage(${redactStorageUrl(url)}) failed: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
  const missing = missingMembers(storage);
  if (missing.length > 0) {
    // close() may be anything on something that is not a Storage: a throw or a non-promise must not
    // replace the typed error below.
    await Promise.resolve()
      .then(() => (storage as Partial<Storage> | null)?.close?.())
      .catch(() => undefined);
    throw new StorageModuleError('wrong-shape', specifier, `createStorage returned something that is not a Storage (missing: ${missing.join(', ')})`);
  }
  return storage as Storage;
}

function missingMembers(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['everything (got ' + (value === null ? 'null' : typeof value) + ')'];
  const record = value as Record<string, unknown>;
  const missing: string[] = STORAGE_METHODS.filter((name) => typeof record[name] !== 'function');
  if (typeof record['kind'] !== 'string') missing.push('kind');
  const changes = record['changes'] as Record<string, unknown> | undefined;
  if (typeof changes !== 'object' || changes === null) missing.push('changes');
  else missing.push(...FEED_METHODS.filter((name) => typeof changes[name] !== 'function').map((name) => `changes.${name}`));
  return missing;
}

/** The path of a `file:` URL (percent-escapes decoded), or null when it is not one this machine can open. */
function filePathOf(specifier: string): string | null {
  try {
    return fileURLToPath(specifier);
  } catch {
    return null;
  }
}
