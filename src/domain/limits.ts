import type { RetentionPolicy } from './types.js';

/** Size and count limits enforced on every input, and the defaults adapters apply; each one is a setting (README). */
export interface Limits {
  /** Entries in one append or one hibernate. @default 1000 */
  maxEntriesPerAppend: number;
  /** Serialized size of one entry (id, kind, at, payload, refs) in bytes. @default 1 MiB */
  maxEntryBytes: number;
  /** Serialized size of a checkpoint's state in bytes. @default 8 MiB */
  maxStateBytes: number;
  /** Serialized size of a thread's metadata in bytes. @default 64 KiB */
  maxMetadataBytes: number;
  /** HTTP request body / WebSocket message size in bytes. @default 16 MiB */
  maxRequestBytes: number;
  /** Length of ids (thread, entry, agentType, agentId, namespace) in characters. @default 256 */
  maxIdLength: number;
  /** Length of an entry kind. @default 64 */
  maxKindLength: number;
  /** Largest page a caller may ask for. @default 500 */
  maxPageSize: number;
  /** Page size when the caller gives none. @default 50 */
  defaultPageSize: number;
  /**
   * Retention policy given to a thread created without one (CRYO_RETENTION_MAX_ENTRIES,
   * CRYO_RETENTION_MAX_AGE_SECONDS). Threads created earlier keep theirs. @default null (none)
   */
  defaultRetention: RetentionPolicy | null;
}

/** The default limits (the README's settings table lists them). */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxEntriesPerAppend: 1000,
  maxEntryBytes: 1024 * 1024,
  maxStateBytes: 8 * 1024 * 1024,
  maxMetadataBytes: 64 * 1024,
  maxRequestBytes: 16 * 1024 * 1024,
  maxIdLength: 256,
  maxKindLength: 64,
  maxPageSize: 500,
  defaultPageSize: 50,
  defaultRetention: null,
});

/** Largest revision or seq accepted from a caller (GraphQL Int is 32-bit). */
export const MAX_REV = 2 ** 31 - 1;
