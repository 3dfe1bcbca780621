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

/** A pointer into a journal. The thread must exist with a rev of at least `rev`. */
export type ThreadPointerInput = {
  /** The thread id. */
  id: string | number;
  /** The number of entries the agent has seen (≥ 1). */
  rev: number;
};

export type SaverEntryFragment = { id: string, seq: number, kind: string, payload: Record<string, unknown> };

export type SaverHeadQueryVariables = Exact<{
  key: string;
  threadId: string | number;
  tail: number;
}>;


export type SaverHeadQuery = { checkpoint: { rev: number, state: Record<string, unknown> } | null, pin: { rev: number, state: Record<string, unknown>, thread: { rev: number } | null } | null, thread: { rev: number, entries: { edges: Array<{ node: { id: string, seq: number, kind: string, payload: Record<string, unknown> } }> } } | null };

export type SaverIndexQueryVariables = Exact<{
  indexId: string;
}>;


export type SaverIndexQuery = { checkpoint: { rev: number, state: Record<string, unknown> } | null };

export type SaverEntriesQueryVariables = Exact<{
  threadId: string | number;
  first: number;
  after?: string | null | undefined;
}>;


export type SaverEntriesQuery = { thread: { rev: number, entries: { pageInfo: { hasNextPage: boolean }, edges: Array<{ node: { id: string, seq: number, kind: string, payload: Record<string, unknown> } }> } } | null };

export type SaverEntriesBeforeQueryVariables = Exact<{
  threadId: string | number;
  last: number;
  before?: string | null | undefined;
}>;


export type SaverEntriesBeforeQuery = { thread: { entries: { pageInfo: { hasPreviousPage: boolean, startCursor: string | null }, edges: Array<{ node: { id: string, seq: number, kind: string, payload: Record<string, unknown> } }> } } | null };

export type SaverThreadsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type SaverThreadsQuery = { threads: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string } }> } };

export type SaverPinRevQueryVariables = Exact<{
  key: string;
}>;


export type SaverPinRevQuery = { checkpoint: { rev: number } | null };

export type SaverPutMutationVariables = Exact<{
  checkpoint: HibernateInput;
  index: PutCheckpointInput;
  pin: PutCheckpointInput;
}>;


export type SaverPutMutation = { hibernate:
    | { __typename: 'HibernateSuccess', checkpoint: { rev: number } }
    | { __typename: 'InvalidThreadPointer', message: string }
    | { __typename: 'RevisionConflict', message: string, expectedRev: number, actualRev: number }
    | { __typename: 'ThreadDiverged', message: string }
    | { __typename: 'ThreadHistoryTruncated', message: string }
    | { __typename: 'ThreadRevRegression', message: string, storedRev: number }
    | { __typename: 'ValidationError', message: string }
  , index:
    | { __typename: 'InvalidThreadPointer', message: string }
    | { __typename: 'PutCheckpointSuccess' }
    | { __typename: 'RevisionConflict', message: string }
    | { __typename: 'ValidationError', message: string }
  , pin:
    | { __typename: 'InvalidThreadPointer', message: string }
    | { __typename: 'PutCheckpointSuccess', checkpoint: { rev: number } }
    | { __typename: 'RevisionConflict', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export type SaverAppendMutationVariables = Exact<{
  input: AppendEntriesInput;
}>;


export type SaverAppendMutation = { appendEntries:
    | { __typename: 'AppendEntriesSuccess', thread: { rev: number }, entries: Array<{ seq: number }> }
    | { __typename: 'RevisionConflict', message: string, expectedRev: number, actualRev: number }
    | { __typename: 'ValidationError', message: string, field: string | null }
   };

export type SaverPutIndexMutationVariables = Exact<{
  input: PutCheckpointInput;
}>;


export type SaverPutIndexMutation = { putCheckpoint:
    | { __typename: 'InvalidThreadPointer', message: string }
    | { __typename: 'PutCheckpointSuccess', checkpoint: { rev: number } }
    | { __typename: 'RevisionConflict', message: string }
    | { __typename: 'ValidationError', message: string }
   };

export type SaverDeleteMutationVariables = Exact<{
  threadId: string | number;
  key: string;
}>;


export type SaverDeleteMutation = { deleteThread: { deleted: boolean }, deleteCheckpoint: { deleted: boolean }, pin: { deleted: boolean } };

export type SaverLocateQueryVariables = Exact<{
  threadId: string | number;
  indexId: string;
  first: number;
  after?: string | null | undefined;
  withHolder: boolean;
  holderAfter?: string | null | undefined;
}>;


export type SaverLocateQuery = { checkpoint: { rev: number, state: Record<string, unknown> } | null, thread: { rev: number, entries: { pageInfo: { hasNextPage: boolean }, edges: Array<{ node: { id: string, seq: number, kind: string, payload: Record<string, unknown> } }> } } | null, holder?: { entries: { edges: Array<{ node: { id: string, seq: number, kind: string, payload: Record<string, unknown> } }> } } | null };

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
export const SaverEntryFragmentDoc = new TypedDocumentString(`
    fragment SaverEntry on Entry {
  id
  seq
  kind
  payload
}
    `, {"fragmentName":"SaverEntry"}) as unknown as TypedDocumentString<SaverEntryFragment, unknown>;
export const SaverHeadDocument = new TypedDocumentString(`
    query SaverHead($key: String!, $threadId: ID!, $tail: Int!) {
  checkpoint(agentType: "langgraph", agentId: $key) {
    rev
    state
  }
  pin: checkpoint(agentType: "langgraph.pin", agentId: $key) {
    rev
    state
    thread {
      rev
    }
  }
  thread(id: $threadId) {
    rev
    entries(last: $tail) {
      edges {
        node {
          ...SaverEntry
        }
      }
    }
  }
}
    fragment SaverEntry on Entry {
  id
  seq
  kind
  payload
}`) as unknown as TypedDocumentString<SaverHeadQuery, SaverHeadQueryVariables>;
export const SaverIndexDocument = new TypedDocumentString(`
    query SaverIndex($indexId: String!) {
  checkpoint(agentType: "langgraph.checkpoint", agentId: $indexId) {
    rev
    state
  }
}
    `) as unknown as TypedDocumentString<SaverIndexQuery, SaverIndexQueryVariables>;
export const SaverEntriesDocument = new TypedDocumentString(`
    query SaverEntries($threadId: ID!, $first: Int!, $after: String) {
  thread(id: $threadId) {
    rev
    entries(first: $first, after: $after) {
      pageInfo {
        hasNextPage
      }
      edges {
        node {
          ...SaverEntry
        }
      }
    }
  }
}
    fragment SaverEntry on Entry {
  id
  seq
  kind
  payload
}`) as unknown as TypedDocumentString<SaverEntriesQuery, SaverEntriesQueryVariables>;
export const SaverEntriesBeforeDocument = new TypedDocumentString(`
    query SaverEntriesBefore($threadId: ID!, $last: Int!, $before: String) {
  thread(id: $threadId) {
    entries(last: $last, before: $before) {
      pageInfo {
        hasPreviousPage
        startCursor
      }
      edges {
        node {
          ...SaverEntry
        }
      }
    }
  }
}
    fragment SaverEntry on Entry {
  id
  seq
  kind
  payload
}`) as unknown as TypedDocumentString<SaverEntriesBeforeQuery, SaverEntriesBeforeQueryVariables>;
export const SaverThreadsDocument = new TypedDocumentString(`
    query SaverThreads($first: Int!, $after: String) {
  threads(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SaverThreadsQuery, SaverThreadsQueryVariables>;
export const SaverPinRevDocument = new TypedDocumentString(`
    query SaverPinRev($key: String!) {
  checkpoint(agentType: "langgraph.pin", agentId: $key) {
    rev
  }
}
    `) as unknown as TypedDocumentString<SaverPinRevQuery, SaverPinRevQueryVariables>;
export const SaverPutDocument = new TypedDocumentString(`
    mutation SaverPut($checkpoint: HibernateInput!, $index: PutCheckpointInput!, $pin: PutCheckpointInput!) {
  hibernate(input: $checkpoint) {
    __typename
    ... on HibernateSuccess {
      checkpoint {
        rev
      }
    }
    ... on RevisionConflict {
      message
      expectedRev
      actualRev
    }
    ... on ThreadRevRegression {
      message
      storedRev
    }
    ... on Error {
      message
    }
  }
  index: putCheckpoint(input: $index) {
    __typename
    ... on Error {
      message
    }
  }
  pin: putCheckpoint(input: $pin) {
    __typename
    ... on PutCheckpointSuccess {
      checkpoint {
        rev
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<SaverPutMutation, SaverPutMutationVariables>;
export const SaverAppendDocument = new TypedDocumentString(`
    mutation SaverAppend($input: AppendEntriesInput!) {
  appendEntries(input: $input) {
    __typename
    ... on AppendEntriesSuccess {
      thread {
        rev
      }
      entries {
        seq
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
    `) as unknown as TypedDocumentString<SaverAppendMutation, SaverAppendMutationVariables>;
export const SaverPutIndexDocument = new TypedDocumentString(`
    mutation SaverPutIndex($input: PutCheckpointInput!) {
  putCheckpoint(input: $input) {
    __typename
    ... on PutCheckpointSuccess {
      checkpoint {
        rev
      }
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<SaverPutIndexMutation, SaverPutIndexMutationVariables>;
export const SaverDeleteDocument = new TypedDocumentString(`
    mutation SaverDelete($threadId: ID!, $key: String!) {
  deleteThread(id: $threadId) {
    deleted
  }
  deleteCheckpoint(agentType: "langgraph", agentId: $key) {
    deleted
  }
  pin: deleteCheckpoint(agentType: "langgraph.pin", agentId: $key) {
    deleted
  }
}
    `) as unknown as TypedDocumentString<SaverDeleteMutation, SaverDeleteMutationVariables>;
export const SaverLocateDocument = new TypedDocumentString(`
    query SaverLocate($threadId: ID!, $indexId: String!, $first: Int!, $after: String, $withHolder: Boolean!, $holderAfter: String) {
  checkpoint(agentType: "langgraph.checkpoint", agentId: $indexId) {
    rev
    state
  }
  thread(id: $threadId) {
    rev
    entries(first: $first, after: $after) {
      pageInfo {
        hasNextPage
      }
      edges {
        node {
          ...SaverEntry
        }
      }
    }
  }
  holder: thread(id: $threadId) @include(if: $withHolder) {
    entries(first: 1, after: $holderAfter) {
      edges {
        node {
          ...SaverEntry
        }
      }
    }
  }
}
    fragment SaverEntry on Entry {
  id
  seq
  kind
  payload
}`) as unknown as TypedDocumentString<SaverLocateQuery, SaverLocateQueryVariables>;