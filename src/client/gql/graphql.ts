/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** An atomic append: all entries or none. */
export type AppendEntriesInput = {
  /** The entries, in order (1..1000 by default). They get seqs rev, rev+1, … */
  entries: Array<EntryInput>;
  /** Optimistic concurrency. Omitted: append unconditionally; 0: the thread must not exist yet; n: the thread's rev must be n (else RevisionConflict). A retry with the same entry ids is recognised and writes nothing. */
  expectedRev?: number | null | undefined;
  /** The thread's metadata; used only when this call creates the thread. */
  metadata?: Record<string, unknown> | null | undefined;
  /** The thread's retention policy; used only when this call creates the thread. Omitted or null: the server's default (CRYO_RETENTION_MAX_ENTRIES, CRYO_RETENTION_MAX_AGE_SECONDS); {} : no policy. */
  retention?: RetentionPolicyInput | null | undefined;
  /** The thread to append to; created by the first append. */
  threadId: string | number;
};

/** A new API key of the caller's namespace. */
export type CreateApiKeyInput = {
  /** Lifetime in seconds; omitted: until revoked. */
  expiresInSeconds?: number | null | undefined;
  /** What the key is for (shown in listings). */
  label?: string | null | undefined;
  /** Scopes to grant: read, write, admin, metrics. */
  scopes: Array<string>;
};

/** One entry to append. Every field is optional. */
export type EntryInput = {
  /** When it happened; default: server time. */
  at?: string | null | undefined;
  /** The entry id; generated when absent. Give ids to make retries idempotent. */
  id?: string | number | null | undefined;
  /** A short label, 1..64 chars of `[A-Za-z0-9_.:-]`; default "note". */
  kind?: string | null | undefined;
  /** The entry body; default {}. */
  payload?: Record<string, unknown> | null | undefined;
  /** References to other things; default {}. */
  refs?: Record<string, unknown> | null | undefined;
};

/** Flush the agent's journal tail, then write its checkpoint pointing at it. */
export type HibernateInput = {
  /** The agent instance. */
  agentId: string;
  /** The kind of agent. */
  agentType: string;
  /** Fencing for the checkpoint, as in PutCheckpointInput; checked before the journal is touched, so a stale writer appends nothing either. */
  expectedRev?: number | null | undefined;
  /** The agent's state. */
  state: Record<string, unknown>;
  /** The agent's journal; omit or null for none (null pointer). */
  thread?: HibernateThreadInput | null | undefined;
  /** The state's schema version; default 1. */
  version?: number | null | undefined;
};

/** The agent's local journal: its rev and its unflushed tail. */
export type HibernateThreadInput = {
  /** The LAST entries.length entries of the local journal (seqs rev - entries.length .. rev - 1; the whole journal is allowed). Give ids so the store can check they match what it has. */
  entries: Array<EntryInput>;
  /** The thread id. */
  id: string | number;
  /** The thread's metadata; used only when this flush creates the thread. */
  metadata?: Record<string, unknown> | null | undefined;
  /** The agent's local rev: how many entries its journal holds. */
  rev: number;
};

/** Overwrites (or creates) an agent's checkpoint. */
export type PutCheckpointInput = {
  /** The agent instance. */
  agentId: string;
  /** The kind of agent. */
  agentType: string;
  /** Fencing. Omitted: unconditional; 0: the checkpoint must not exist; n: its rev must be n (else RevisionConflict). */
  expectedRev?: number | null | undefined;
  /** The agent's state (a JSON object, ≤ 8 MiB serialized by default). */
  state: Record<string, unknown>;
  /** Pointer to the agent's journal; omit or null for none. */
  thread?: ThreadPointerInput | null | undefined;
  /** The state's schema version; default 1. */
  version?: number | null | undefined;
};

/** A retention policy. Each bound is optional (1..2147483647); neither set means no policy. */
export type RetentionPolicyInput = {
  /** Drop entries older than this many seconds (by `at`), as far as checkpoints allow. */
  maxAgeSeconds?: number | null | undefined;
  /** Keep at most this many entries (the newest), as far as checkpoints allow. */
  maxEntries?: number | null | undefined;
};

/** Sets or clears a thread's retention policy. */
export type SetThreadRetentionInput = {
  /** The new policy, applied at once as far as checkpoints allow; null (or {}) clears the policy (nothing trimmed comes back). */
  retention?: RetentionPolicyInput | null | undefined;
  /** The thread; it must exist. */
  threadId: string | number;
};

/** A pointer into a journal. The thread must exist with a rev of at least `rev`. */
export type ThreadPointerInput = {
  /** The thread id. */
  id: string | number;
  /** The number of entries the agent has seen (≥ 1). */
  rev: number;
};

/** Drops a prefix of a thread's journal: the entries with seq < beforeSeq. */
export type TrimThreadInput = {
  /** Drop the entries with seq < beforeSeq (0..rev). At or below firstSeq: nothing to do (success, dropped 0). Above the lowest pointer rev of a checkpoint pointing at the thread: TrimBeyondCheckpoint. */
  beforeSeq: number;
  /** The thread's rev must be this (else RevisionConflict); omitted: no check. */
  expectedRev?: number | null | undefined;
  /** The thread to trim; it must exist. */
  threadId: string | number;
};

export type ApiKeysQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ApiKeysQuery = { apiKeys: { edges: Array<{ node: { id: string, label: string | null, namespace: string, scopes: Array<string>, createdAt: string, expiresAt: string | null, revokedAt: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type AppendEntriesMutationVariables = Exact<{
  input: AppendEntriesInput;
}>;


export type AppendEntriesMutation = { appendEntries:
    | { __typename: 'AppendEntriesSuccess', replayed: boolean, thread: { __typename: 'Thread', id: string, rev: number, metadata: Record<string, unknown>, createdAt: string, updatedAt: string }, entries: Array<{ __typename: 'Entry', id: string, threadId: string, seq: number, at: string, kind: string, payload: Record<string, unknown>, refs: Record<string, unknown> }> }
    | { __typename: 'RevisionConflict', message: string, expectedRev: number, actualRev: number }
    | { __typename: 'ValidationError', message: string, field: string | null }
   };

export type CheckpointEventsSubscriptionVariables = Exact<{
  agentType?: string | null | undefined;
}>;


export type CheckpointEventsSubscription = { checkpointEvents:
    | { __typename: 'CheckpointDeleted', agentType: string, agentId: string }
    | { __typename: 'CheckpointSaved', checkpoint: { __typename: 'Checkpoint', agentType: string, agentId: string, rev: number, version: number, state: Record<string, unknown>, createdAt: string, updatedAt: string, thread: { id: string, rev: number, thread: { id: string, rev: number, updatedAt: string } | null } | null } }
   };

export type CheckpointQueryVariables = Exact<{
  agentType: string;
  agentId: string;
}>;


export type CheckpointQuery = { checkpoint: { __typename: 'Checkpoint', agentType: string, agentId: string, rev: number, version: number, state: Record<string, unknown>, createdAt: string, updatedAt: string, thread: { id: string, rev: number, thread: { id: string, rev: number, updatedAt: string } | null } | null } | null };

export type CheckpointsQueryVariables = Exact<{
  agentType?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CheckpointsQuery = { checkpoints: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { __typename: 'Checkpoint', agentType: string, agentId: string, rev: number, version: number, state: Record<string, unknown>, createdAt: string, updatedAt: string, thread: { id: string, rev: number, thread: { id: string, rev: number, updatedAt: string } | null } | null } }> } };

export type CreateApiKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type CreateApiKeyMutation = { createApiKey:
    | { __typename: 'CreateApiKeySuccess', secret: string, apiKey: { id: string, label: string | null, namespace: string, scopes: Array<string>, createdAt: string, expiresAt: string | null, revokedAt: string | null } }
    | { __typename: 'ValidationError', message: string, field: string | null }
   };

export type DeleteCheckpointMutationVariables = Exact<{
  agentType: string;
  agentId: string;
}>;


export type DeleteCheckpointMutation = { deleteCheckpoint: { deleted: boolean } };

export type DeleteThreadMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteThreadMutation = { deleteThread: { deleted: boolean } };

export type EntryFieldsFragment = { __typename: 'Entry', id: string, threadId: string, seq: number, at: string, kind: string, payload: Record<string, unknown>, refs: Record<string, unknown> };

export type ThreadFieldsFragment = { __typename: 'Thread', id: string, rev: number, metadata: Record<string, unknown>, createdAt: string, updatedAt: string };

export type CheckpointFieldsFragment = { __typename: 'Checkpoint', agentType: string, agentId: string, rev: number, version: number, state: Record<string, unknown>, createdAt: string, updatedAt: string, thread: { id: string, rev: number, thread: { id: string, rev: number, updatedAt: string } | null } | null };

export type HibernateMutationVariables = Exact<{
  input: HibernateInput;
}>;


export type HibernateMutation = { hibernate:
    | { __typename: 'HibernateSuccess', flushed: number, checkpoint: { __typename: 'Checkpoint', agentType: string, agentId: string, rev: number, version: number, state: Record<string, unknown>, createdAt: string, updatedAt: string, thread: { id: string, rev: number, thread: { id: string, rev: number, updatedAt: string } | null } | null } }
    | { __typename: 'InvalidThreadPointer', message: string, threadId: string, pointerRev: number, storedRev: number }
    | { __typename: 'RevisionConflict', message: string, expectedRev: number, actualRev: number }
    | { __typename: 'ThreadDiverged', message: string, threadId: string, seq: number }
    | { __typename: 'ThreadHistoryTruncated', message: string, threadId: string, storedRev: number, firstSentSeq: number }
    | { __typename: 'ThreadRevRegression', message: string, threadId: string, storedRev: number, localRev: number }
    | { __typename: 'ValidationError', message: string, field: string | null }
   };

export type PutCheckpointMutationVariables = Exact<{
  input: PutCheckpointInput;
}>;


export type PutCheckpointMutation = { putCheckpoint:
    | { __typename: 'InvalidThreadPointer', message: string, threadId: string, pointerRev: number, storedRev: number }
    | { __typename: 'PutCheckpointSuccess', checkpoint: { __typename: 'Checkpoint', agentType: string, agentId: string, rev: number, version: number, state: Record<string, unknown>, createdAt: string, updatedAt: string, thread: { id: string, rev: number, thread: { id: string, rev: number, updatedAt: string } | null } | null } }
    | { __typename: 'RevisionConflict', message: string, expectedRev: number, actualRev: number }
    | { __typename: 'ValidationError', message: string, field: string | null }
   };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: { deleted: boolean } };

export type ServerInfoQueryVariables = Exact<{ [key: string]: never; }>;


export type ServerInfoQuery = { serverInfo: { version: string, storage: string } };

export type SetThreadRetentionMutationVariables = Exact<{
  input: SetThreadRetentionInput;
}>;


export type SetThreadRetentionMutation = { setThreadRetention:
    | { __typename: 'SetThreadRetentionSuccess', thread: { id: string, rev: number, firstSeq: number, retention: { maxEntries: number | null, maxAgeSeconds: number | null } | null } }
    | { __typename: 'ValidationError', message: string, field: string | null }
   };

export type ThawMutationVariables = Exact<{
  agentType: string;
  agentId: string;
  allowJournalAhead?: boolean | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ThawMutation = { thaw:
    | { __typename: 'CheckpointNotFound', message: string, agentType: string, agentId: string }
    | { __typename: 'MissingThread', message: string, threadId: string, pointerRev: number }
    | { __typename: 'ThawSuccess', checkpoint: { __typename: 'Checkpoint', agentType: string, agentId: string, rev: number, version: number, state: Record<string, unknown>, createdAt: string, updatedAt: string, thread: { id: string, rev: number, thread: { id: string, rev: number, updatedAt: string } | null } | null }, thread: { __typename: 'Thread', id: string, rev: number, metadata: Record<string, unknown>, createdAt: string, updatedAt: string, entries: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { __typename: 'Entry', id: string, threadId: string, seq: number, at: string, kind: string, payload: Record<string, unknown>, refs: Record<string, unknown> } }> } } | null, pendingEntries: Array<{ __typename: 'Entry', id: string, threadId: string, seq: number, at: string, kind: string, payload: Record<string, unknown>, refs: Record<string, unknown> }> }
    | { __typename: 'ThreadMismatch', message: string, threadId: string, pointerRev: number, storedRev: number }
    | { __typename: 'ValidationError', message: string, field: string | null }
   };

export type ThreadEntriesSubscriptionVariables = Exact<{
  threadId: string | number;
  fromSeq?: number | null | undefined;
}>;


export type ThreadEntriesSubscription = { threadEntries:
    | { __typename: 'CaughtUp', threadId: string, rev: number }
    | { __typename: 'Entry', id: string, threadId: string, seq: number, at: string, kind: string, payload: Record<string, unknown>, refs: Record<string, unknown> }
    | { __typename: 'JournalTrimmed', threadId: string, firstSeq: number }
    | { __typename: 'ThreadDeleted', threadId: string }
   };

export type ThreadQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type ThreadQuery = { thread: { __typename: 'Thread', id: string, rev: number, metadata: Record<string, unknown>, createdAt: string, updatedAt: string, entries: { totalCount: number, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { __typename: 'Entry', id: string, threadId: string, seq: number, at: string, kind: string, payload: Record<string, unknown>, refs: Record<string, unknown> } }> } } | null };

export type ThreadsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ThreadsQuery = { threads: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { __typename: 'Thread', id: string, rev: number, metadata: Record<string, unknown>, createdAt: string, updatedAt: string } }> } };

export type TrimThreadMutationVariables = Exact<{
  input: TrimThreadInput;
}>;


export type TrimThreadMutation = { trimThread:
    | { __typename: 'RevisionConflict', message: string, expectedRev: number, actualRev: number }
    | { __typename: 'TrimBeyondCheckpoint', message: string, agentType: string, agentId: string, pointerRev: number }
    | { __typename: 'TrimThreadSuccess', dropped: number, thread: { id: string, rev: number, firstSeq: number } }
    | { __typename: 'ValidationError', message: string, field: string | null }
   };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { namespace: string, scopes: Array<string>, authenticated: boolean, expiresAt: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const EntryFieldsFragmentDoc = new TypedDocumentString(`
    fragment EntryFields on Entry {
  __typename
  id
  threadId
  seq
  at
  kind
  payload
  refs
}
    `, {"fragmentName":"EntryFields"}) as unknown as TypedDocumentString<EntryFieldsFragment, unknown>;
export const ThreadFieldsFragmentDoc = new TypedDocumentString(`
    fragment ThreadFields on Thread {
  __typename
  id
  rev
  metadata
  createdAt
  updatedAt
}
    `, {"fragmentName":"ThreadFields"}) as unknown as TypedDocumentString<ThreadFieldsFragment, unknown>;
export const CheckpointFieldsFragmentDoc = new TypedDocumentString(`
    fragment CheckpointFields on Checkpoint {
  __typename
  agentType
  agentId
  rev
  version
  state
  createdAt
  updatedAt
  thread {
    id
    rev
    thread {
      id
      rev
      updatedAt
    }
  }
}
    `, {"fragmentName":"CheckpointFields"}) as unknown as TypedDocumentString<CheckpointFieldsFragment, unknown>;
export const ApiKeysDocument = new TypedDocumentString(`
    query ApiKeys($first: Int, $after: String) {
  apiKeys(first: $first, after: $after) {
    edges {
      node {
        id
        label
        namespace
        scopes
        createdAt
        expiresAt
        revokedAt
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ApiKeysQuery, ApiKeysQueryVariables>;
export const AppendEntriesDocument = new TypedDocumentString(`
    mutation AppendEntries($input: AppendEntriesInput!) {
  appendEntries(input: $input) {
    __typename
    ... on AppendEntriesSuccess {
      replayed
      thread {
        ...ThreadFields
      }
      entries {
        ...EntryFields
      }
    }
    ... on RevisionConflict {
      message
      expectedRev
      actualRev
    }
    ... on ValidationError {
      message
      field
    }
  }
}
    fragment EntryFields on Entry {
  __typename
  id
  threadId
  seq
  at
  kind
  payload
  refs
}
fragment ThreadFields on Thread {
  __typename
  id
  rev
  metadata
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<AppendEntriesMutation, AppendEntriesMutationVariables>;
export const CheckpointEventsDocument = new TypedDocumentString(`
    subscription CheckpointEvents($agentType: String) {
  checkpointEvents(agentType: $agentType) {
    __typename
    ... on CheckpointSaved {
      checkpoint {
        ...CheckpointFields
      }
    }
    ... on CheckpointDeleted {
      agentType
      agentId
    }
  }
}
    fragment CheckpointFields on Checkpoint {
  __typename
  agentType
  agentId
  rev
  version
  state
  createdAt
  updatedAt
  thread {
    id
    rev
    thread {
      id
      rev
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<CheckpointEventsSubscription, CheckpointEventsSubscriptionVariables>;
export const CheckpointDocument = new TypedDocumentString(`
    query Checkpoint($agentType: String!, $agentId: String!) {
  checkpoint(agentType: $agentType, agentId: $agentId) {
    ...CheckpointFields
  }
}
    fragment CheckpointFields on Checkpoint {
  __typename
  agentType
  agentId
  rev
  version
  state
  createdAt
  updatedAt
  thread {
    id
    rev
    thread {
      id
      rev
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<CheckpointQuery, CheckpointQueryVariables>;
export const CheckpointsDocument = new TypedDocumentString(`
    query Checkpoints($agentType: String, $first: Int, $after: String) {
  checkpoints(agentType: $agentType, first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...CheckpointFields
      }
    }
  }
}
    fragment CheckpointFields on Checkpoint {
  __typename
  agentType
  agentId
  rev
  version
  state
  createdAt
  updatedAt
  thread {
    id
    rev
    thread {
      id
      rev
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<CheckpointsQuery, CheckpointsQueryVariables>;
export const CreateApiKeyDocument = new TypedDocumentString(`
    mutation CreateApiKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    __typename
    ... on CreateApiKeySuccess {
      secret
      apiKey {
        id
        label
        namespace
        scopes
        createdAt
        expiresAt
        revokedAt
      }
    }
    ... on ValidationError {
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const DeleteCheckpointDocument = new TypedDocumentString(`
    mutation DeleteCheckpoint($agentType: String!, $agentId: String!) {
  deleteCheckpoint(agentType: $agentType, agentId: $agentId) {
    deleted
  }
}
    `) as unknown as TypedDocumentString<DeleteCheckpointMutation, DeleteCheckpointMutationVariables>;
export const DeleteThreadDocument = new TypedDocumentString(`
    mutation DeleteThread($id: ID!) {
  deleteThread(id: $id) {
    deleted
  }
}
    `) as unknown as TypedDocumentString<DeleteThreadMutation, DeleteThreadMutationVariables>;
export const HibernateDocument = new TypedDocumentString(`
    mutation Hibernate($input: HibernateInput!) {
  hibernate(input: $input) {
    __typename
    ... on HibernateSuccess {
      flushed
      checkpoint {
        ...CheckpointFields
      }
    }
    ... on RevisionConflict {
      message
      expectedRev
      actualRev
    }
    ... on ThreadRevRegression {
      message
      threadId
      storedRev
      localRev
    }
    ... on ThreadHistoryTruncated {
      message
      threadId
      storedRev
      firstSentSeq
    }
    ... on ThreadDiverged {
      message
      threadId
      seq
    }
    ... on InvalidThreadPointer {
      message
      threadId
      pointerRev
      storedRev
    }
    ... on ValidationError {
      message
      field
    }
  }
}
    fragment CheckpointFields on Checkpoint {
  __typename
  agentType
  agentId
  rev
  version
  state
  createdAt
  updatedAt
  thread {
    id
    rev
    thread {
      id
      rev
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<HibernateMutation, HibernateMutationVariables>;
export const PutCheckpointDocument = new TypedDocumentString(`
    mutation PutCheckpoint($input: PutCheckpointInput!) {
  putCheckpoint(input: $input) {
    __typename
    ... on PutCheckpointSuccess {
      checkpoint {
        ...CheckpointFields
      }
    }
    ... on RevisionConflict {
      message
      expectedRev
      actualRev
    }
    ... on InvalidThreadPointer {
      message
      threadId
      pointerRev
      storedRev
    }
    ... on ValidationError {
      message
      field
    }
  }
}
    fragment CheckpointFields on Checkpoint {
  __typename
  agentType
  agentId
  rev
  version
  state
  createdAt
  updatedAt
  thread {
    id
    rev
    thread {
      id
      rev
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<PutCheckpointMutation, PutCheckpointMutationVariables>;
export const RevokeApiKeyDocument = new TypedDocumentString(`
    mutation RevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    deleted
  }
}
    `) as unknown as TypedDocumentString<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const ServerInfoDocument = new TypedDocumentString(`
    query ServerInfo {
  serverInfo {
    version
    storage
  }
}
    `) as unknown as TypedDocumentString<ServerInfoQuery, ServerInfoQueryVariables>;
export const SetThreadRetentionDocument = new TypedDocumentString(`
    mutation SetThreadRetention($input: SetThreadRetentionInput!) {
  setThreadRetention(input: $input) {
    __typename
    ... on SetThreadRetentionSuccess {
      thread {
        id
        rev
        firstSeq
        retention {
          maxEntries
          maxAgeSeconds
        }
      }
    }
    ... on ValidationError {
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<SetThreadRetentionMutation, SetThreadRetentionMutationVariables>;
export const ThawDocument = new TypedDocumentString(`
    mutation Thaw($agentType: String!, $agentId: String!, $allowJournalAhead: Boolean, $first: Int, $after: String) {
  thaw(
    agentType: $agentType
    agentId: $agentId
    allowJournalAhead: $allowJournalAhead
  ) {
    __typename
    ... on ThawSuccess {
      checkpoint {
        ...CheckpointFields
      }
      thread {
        ...ThreadFields
        entries(first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              ...EntryFields
            }
          }
        }
      }
      pendingEntries {
        ...EntryFields
      }
    }
    ... on CheckpointNotFound {
      message
      agentType
      agentId
    }
    ... on MissingThread {
      message
      threadId
      pointerRev
    }
    ... on ThreadMismatch {
      message
      threadId
      pointerRev
      storedRev
    }
    ... on ValidationError {
      message
      field
    }
  }
}
    fragment EntryFields on Entry {
  __typename
  id
  threadId
  seq
  at
  kind
  payload
  refs
}
fragment ThreadFields on Thread {
  __typename
  id
  rev
  metadata
  createdAt
  updatedAt
}
fragment CheckpointFields on Checkpoint {
  __typename
  agentType
  agentId
  rev
  version
  state
  createdAt
  updatedAt
  thread {
    id
    rev
    thread {
      id
      rev
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<ThawMutation, ThawMutationVariables>;
export const ThreadEntriesDocument = new TypedDocumentString(`
    subscription ThreadEntries($threadId: ID!, $fromSeq: Int) {
  threadEntries(threadId: $threadId, fromSeq: $fromSeq) {
    __typename
    ... on Entry {
      ...EntryFields
    }
    ... on CaughtUp {
      threadId
      rev
    }
    ... on ThreadDeleted {
      threadId
    }
    ... on JournalTrimmed {
      threadId
      firstSeq
    }
  }
}
    fragment EntryFields on Entry {
  __typename
  id
  threadId
  seq
  at
  kind
  payload
  refs
}`) as unknown as TypedDocumentString<ThreadEntriesSubscription, ThreadEntriesSubscriptionVariables>;
export const ThreadDocument = new TypedDocumentString(`
    query Thread($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  thread(id: $id) {
    ...ThreadFields
    entries(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          ...EntryFields
        }
      }
    }
  }
}
    fragment EntryFields on Entry {
  __typename
  id
  threadId
  seq
  at
  kind
  payload
  refs
}
fragment ThreadFields on Thread {
  __typename
  id
  rev
  metadata
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<ThreadQuery, ThreadQueryVariables>;
export const ThreadsDocument = new TypedDocumentString(`
    query Threads($first: Int, $after: String) {
  threads(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...ThreadFields
      }
    }
  }
}
    fragment ThreadFields on Thread {
  __typename
  id
  rev
  metadata
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<ThreadsQuery, ThreadsQueryVariables>;
export const TrimThreadDocument = new TypedDocumentString(`
    mutation TrimThread($input: TrimThreadInput!) {
  trimThread(input: $input) {
    __typename
    ... on TrimThreadSuccess {
      dropped
      thread {
        id
        rev
        firstSeq
      }
    }
    ... on TrimBeyondCheckpoint {
      message
      agentType
      agentId
      pointerRev
    }
    ... on RevisionConflict {
      message
      expectedRev
      actualRev
    }
    ... on ValidationError {
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<TrimThreadMutation, TrimThreadMutationVariables>;
export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  viewer {
    namespace
    scopes
    authenticated
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;