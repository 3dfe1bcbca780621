import { describe, expect, it } from 'vitest';
import { createFileStorage } from '../../src/storage/file/index.js';
import { describeStorageConformance } from './conformance.js';
import { tempDir } from './file-helpers.js';

describeStorageConformance('file', async ({ limits }) => {
  const dir = await tempDir();
  return { storage: await createFileStorage({ directory: dir.path, limits }), cleanup: dir.remove };
});

describe('file adapter basics', () => {
  it('reports kind "file"', async () => {
    const dir = await tempDir();
    const storage = await createFileStorage({ directory: dir.path });
    try {
      expect(storage.kind).toBe('file');
    } finally {
      await storage.close();
      await dir.remove();
    }
  });
});
