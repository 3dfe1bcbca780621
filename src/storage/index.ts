/**
 * `cryo/storage`: everything a storage adapter is written against (docs/adapters.md). The
 * contract (Storage, ChangeFeed and their option and result types), the errors an adapter must
 * throw, the pure rules every adapter applies (input validation, the expected-rev and retry
 * rules, the checkpoint rule, the trim and retention rules), an in-process change feed, and the
 * built-in adapters' factories. Importing it loads no database client: the built-in adapters
 * other than memory load on first use. Conformance tests are in `cryo/storage/conformance`.
 */

// The contract.
export type {
  AppendEntriesOptions,
  AppendEntriesResult,
  ChangeEvent,
  ChangeFeed,
  GetCheckpointOptions,
  ListApiKeysOptions,
  ListCheckpointsOptions,
  ListThreadsOptions,
  NamespaceOptions,
  Page,
  PutCheckpointOptions,
  ReadEntriesOptions,
  ReadTailOptions,
  RevokeApiKeyOptions,
  SetThreadRetentionOptions,
  Storage,
  StorageLogger,
  SweepRetentionOptions,
  SweepRetentionResult,
  ThreadOptions,
  TrimThreadOptions,
  TrimThreadResult,
  Unsubscribe,
} from './types.js';
export { DEFAULT_NAMESPACE } from '../domain/types.js';
export type { AgentKey, Checkpoint, Entry, EntryInput, RetentionPolicy, ThreadHead, ThreadPointer } from '../domain/types.js';
export type { JsonObject, JsonValue } from '../domain/json.js';
export { isJsonObject, jsonByteLength, jsonEqual } from '../domain/json.js';
export { SCOPES, isScope, type ApiKeyRecord, type Scope } from '../domain/api-key.js';
export { DEFAULT_LIMITS, MAX_REV, type Limits } from '../domain/limits.js';

// The errors an adapter throws (each has a stable `code`).
export {
  CheckpointNotFound,
  CryoError,
  ERROR_CODES,
  InvalidThreadPointer,
  isCryoError,
  MissingThread,
  RevisionConflict,
  StorageCorrupted,
  StorageUnavailable,
  ThreadDiverged,
  ThreadHistoryTruncated,
  ThreadMismatch,
  ThreadRevRegression,
  TrimBeyondCheckpoint,
  ValidationError,
  type ErrorCode,
} from '../domain/errors.js';

// The rules: pure functions, no I/O.
export {
  assignSeqs,
  checkExpectedRev,
  isReplayOf,
  prepareAppend,
  type AppendRequest,
  type PreparedAppend,
  type PreparedEntry,
} from '../domain/append.js';
export {
  checkCheckpointRev,
  checkPutCheckpoint,
  checkThreadPointer,
  isCheckpointReplay,
  mayBeReplay,
  nextCheckpoint,
  pointsAtLife,
  preparePutCheckpoint,
  type PointedThread,
  type PreparedCheckpoint,
  type PutCheckpointRequest,
  type PutDecision,
} from '../domain/checkpoint.js';
export {
  ageCutoff,
  ageTarget,
  checkTrim,
  lowestPointer,
  maxEntriesTarget,
  policyTarget,
  prepareSetRetention,
  prepareSweep,
  prepareTrim,
  requireThread,
  validateRetentionPolicy,
  type PointerHolder,
  type PreparedSetRetention,
  type PreparedTrim,
  type RetentionPolicyInput,
  type SetRetentionRequest,
  type TrimDecision,
  type TrimRequest,
} from '../domain/retention.js';
export {
  compareCheckpointKeys,
  prepareCheckpointKey,
  prepareListCheckpoints,
  prepareListThreads,
  prepareNamespace,
  prepareReadEntries,
  prepareReadTail,
  prepareThreadKey,
  type CheckpointKey,
  type ThreadKey,
} from './prepare-options.js';
export { ApiKeyTable, prepareApiKeyRecord, prepareListApiKeys, prepareRevokeApiKey } from './api-key-table.js';
export { newThreadLife } from '../domain/thread-life.js';
export { newEntryId } from '../domain/ids.js';

// Building blocks and the built-in adapters.
export { LocalChangeFeed } from './local-change-feed.js';
export { createMemoryStorage, type MemoryStorageOptions } from './memory/index.js';
export {
  openFileStorage,
  openPostgresStorage,
  openRedisStorage,
  openSqliteStorage,
  type FileStorage,
  type FileStorageOptions,
  type PostgresStorage,
  type PostgresStorageOptions,
  type RedisStorageOptions,
  type SqliteStorage,
  type SqliteStorageOptions,
} from './openers.js';
export { openStorage, type OpenStorageOptions } from './open.js';
export { parseStorageUrl, type StorageLocation } from './url.js';
export type { CreateStorage, StorageModule } from './storage-module.js';
