import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';

/** The single-process adapters the live tests run against: [name, factory]. */
export const storageFactories: Array<[string, () => Promise<Storage>]> = [['memory', async () => createMemoryStorage()]];

/** A fresh temp dir removed after `storage.close()`. */
export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'cryo-live-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
