/**
 * How the file adapter makes an append durable before acknowledging it (see README.md):
 * `'wal'` flushes one shared write-ahead log per round for all threads; `'per-thread-fsync'`
 * flushes each journal itself.
 */
export const FILE_DURABILITIES = ['wal', 'per-thread-fsync'] as const;

/** One of {@link FILE_DURABILITIES}. */
export type FileDurability = (typeof FILE_DURABILITIES)[number];

/** The durability mode used when none is given. */
export const DEFAULT_FILE_DURABILITY: FileDurability = 'wal';
