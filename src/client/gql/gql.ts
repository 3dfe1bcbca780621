/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query ApiKeys($first: Int, $after: String) {\n  apiKeys(first: $first, after: $after) {\n    edges {\n      node {\n        id\n        label\n        namespace\n        scopes\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.ApiKeysDocument,
    "mutation AppendEntries($input: AppendEntriesInput!) {\n  appendEntries(input: $input) {\n    __typename\n    ... on AppendEntriesSuccess {\n      replayed\n      thread {\n        ...ThreadFields\n      }\n      entries {\n        ...EntryFields\n      }\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": typeof types.AppendEntriesDocument,
    "subscription CheckpointEvents($agentType: String) {\n  checkpointEvents(agentType: $agentType) {\n    __typename\n    ... on CheckpointSaved {\n      checkpoint {\n        ...CheckpointFields\n      }\n    }\n    ... on CheckpointDeleted {\n      agentType\n      agentId\n    }\n  }\n}": typeof types.CheckpointEventsDocument,
    "query Checkpoint($agentType: String!, $agentId: String!) {\n  checkpoint(agentType: $agentType, agentId: $agentId) {\n    ...CheckpointFields\n  }\n}": typeof types.CheckpointDocument,
    "query Checkpoints($agentType: String, $first: Int, $after: String) {\n  checkpoints(agentType: $agentType, first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...CheckpointFields\n      }\n    }\n  }\n}": typeof types.CheckpointsDocument,
    "mutation CreateApiKey($input: CreateApiKeyInput!) {\n  createApiKey(input: $input) {\n    __typename\n    ... on CreateApiKeySuccess {\n      secret\n      apiKey {\n        id\n        label\n        namespace\n        scopes\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": typeof types.CreateApiKeyDocument,
    "mutation DeleteCheckpoint($agentType: String!, $agentId: String!) {\n  deleteCheckpoint(agentType: $agentType, agentId: $agentId) {\n    deleted\n  }\n}": typeof types.DeleteCheckpointDocument,
    "mutation DeleteThread($id: ID!) {\n  deleteThread(id: $id) {\n    deleted\n  }\n}": typeof types.DeleteThreadDocument,
    "fragment EntryFields on Entry {\n  __typename\n  id\n  threadId\n  seq\n  at\n  kind\n  payload\n  refs\n}\n\nfragment ThreadFields on Thread {\n  __typename\n  id\n  rev\n  metadata\n  createdAt\n  updatedAt\n}\n\nfragment CheckpointFields on Checkpoint {\n  __typename\n  agentType\n  agentId\n  rev\n  version\n  state\n  createdAt\n  updatedAt\n  thread {\n    id\n    rev\n    thread {\n      id\n      rev\n      updatedAt\n    }\n  }\n}": typeof types.EntryFieldsFragmentDoc,
    "mutation Hibernate($input: HibernateInput!) {\n  hibernate(input: $input) {\n    __typename\n    ... on HibernateSuccess {\n      flushed\n      checkpoint {\n        ...CheckpointFields\n      }\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on ThreadRevRegression {\n      message\n      threadId\n      storedRev\n      localRev\n    }\n    ... on ThreadHistoryTruncated {\n      message\n      threadId\n      storedRev\n      firstSentSeq\n    }\n    ... on ThreadDiverged {\n      message\n      threadId\n      seq\n    }\n    ... on InvalidThreadPointer {\n      message\n      threadId\n      pointerRev\n      storedRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": typeof types.HibernateDocument,
    "mutation PutCheckpoint($input: PutCheckpointInput!) {\n  putCheckpoint(input: $input) {\n    __typename\n    ... on PutCheckpointSuccess {\n      checkpoint {\n        ...CheckpointFields\n      }\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on InvalidThreadPointer {\n      message\n      threadId\n      pointerRev\n      storedRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": typeof types.PutCheckpointDocument,
    "mutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    deleted\n  }\n}": typeof types.RevokeApiKeyDocument,
    "query ServerInfo {\n  serverInfo {\n    version\n    storage\n  }\n}": typeof types.ServerInfoDocument,
    "mutation SetThreadRetention($input: SetThreadRetentionInput!) {\n  setThreadRetention(input: $input) {\n    __typename\n    ... on SetThreadRetentionSuccess {\n      thread {\n        id\n        rev\n        firstSeq\n        retention {\n          maxEntries\n          maxAgeSeconds\n        }\n      }\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": typeof types.SetThreadRetentionDocument,
    "mutation Thaw($agentType: String!, $agentId: String!, $allowJournalAhead: Boolean, $first: Int, $after: String) {\n  thaw(\n    agentType: $agentType\n    agentId: $agentId\n    allowJournalAhead: $allowJournalAhead\n  ) {\n    __typename\n    ... on ThawSuccess {\n      checkpoint {\n        ...CheckpointFields\n      }\n      thread {\n        ...ThreadFields\n        entries(first: $first, after: $after) {\n          totalCount\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n          edges {\n            node {\n              ...EntryFields\n            }\n          }\n        }\n      }\n      pendingEntries {\n        ...EntryFields\n      }\n    }\n    ... on CheckpointNotFound {\n      message\n      agentType\n      agentId\n    }\n    ... on MissingThread {\n      message\n      threadId\n      pointerRev\n    }\n    ... on ThreadMismatch {\n      message\n      threadId\n      pointerRev\n      storedRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": typeof types.ThawDocument,
    "subscription ThreadEntries($threadId: ID!, $fromSeq: Int) {\n  threadEntries(threadId: $threadId, fromSeq: $fromSeq) {\n    __typename\n    ... on Entry {\n      ...EntryFields\n    }\n    ... on CaughtUp {\n      threadId\n      rev\n    }\n    ... on ThreadDeleted {\n      threadId\n    }\n    ... on JournalTrimmed {\n      threadId\n      firstSeq\n    }\n  }\n}": typeof types.ThreadEntriesDocument,
    "query Thread($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  thread(id: $id) {\n    ...ThreadFields\n    entries(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...EntryFields\n        }\n      }\n    }\n  }\n}": typeof types.ThreadDocument,
    "query Threads($first: Int, $after: String) {\n  threads(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ThreadFields\n      }\n    }\n  }\n}": typeof types.ThreadsDocument,
    "mutation TrimThread($input: TrimThreadInput!) {\n  trimThread(input: $input) {\n    __typename\n    ... on TrimThreadSuccess {\n      dropped\n      thread {\n        id\n        rev\n        firstSeq\n      }\n    }\n    ... on TrimBeyondCheckpoint {\n      message\n      agentType\n      agentId\n      pointerRev\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": typeof types.TrimThreadDocument,
    "query Viewer {\n  viewer {\n    namespace\n    scopes\n    authenticated\n    expiresAt\n  }\n}": typeof types.ViewerDocument,
};
const documents: Documents = {
    "query ApiKeys($first: Int, $after: String) {\n  apiKeys(first: $first, after: $after) {\n    edges {\n      node {\n        id\n        label\n        namespace\n        scopes\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.ApiKeysDocument,
    "mutation AppendEntries($input: AppendEntriesInput!) {\n  appendEntries(input: $input) {\n    __typename\n    ... on AppendEntriesSuccess {\n      replayed\n      thread {\n        ...ThreadFields\n      }\n      entries {\n        ...EntryFields\n      }\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": types.AppendEntriesDocument,
    "subscription CheckpointEvents($agentType: String) {\n  checkpointEvents(agentType: $agentType) {\n    __typename\n    ... on CheckpointSaved {\n      checkpoint {\n        ...CheckpointFields\n      }\n    }\n    ... on CheckpointDeleted {\n      agentType\n      agentId\n    }\n  }\n}": types.CheckpointEventsDocument,
    "query Checkpoint($agentType: String!, $agentId: String!) {\n  checkpoint(agentType: $agentType, agentId: $agentId) {\n    ...CheckpointFields\n  }\n}": types.CheckpointDocument,
    "query Checkpoints($agentType: String, $first: Int, $after: String) {\n  checkpoints(agentType: $agentType, first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...CheckpointFields\n      }\n    }\n  }\n}": types.CheckpointsDocument,
    "mutation CreateApiKey($input: CreateApiKeyInput!) {\n  createApiKey(input: $input) {\n    __typename\n    ... on CreateApiKeySuccess {\n      secret\n      apiKey {\n        id\n        label\n        namespace\n        scopes\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": types.CreateApiKeyDocument,
    "mutation DeleteCheckpoint($agentType: String!, $agentId: String!) {\n  deleteCheckpoint(agentType: $agentType, agentId: $agentId) {\n    deleted\n  }\n}": types.DeleteCheckpointDocument,
    "mutation DeleteThread($id: ID!) {\n  deleteThread(id: $id) {\n    deleted\n  }\n}": types.DeleteThreadDocument,
    "fragment EntryFields on Entry {\n  __typename\n  id\n  threadId\n  seq\n  at\n  kind\n  payload\n  refs\n}\n\nfragment ThreadFields on Thread {\n  __typename\n  id\n  rev\n  metadata\n  createdAt\n  updatedAt\n}\n\nfragment CheckpointFields on Checkpoint {\n  __typename\n  agentType\n  agentId\n  rev\n  version\n  state\n  createdAt\n  updatedAt\n  thread {\n    id\n    rev\n    thread {\n      id\n      rev\n      updatedAt\n    }\n  }\n}": types.EntryFieldsFragmentDoc,
    "mutation Hibernate($input: HibernateInput!) {\n  hibernate(input: $input) {\n    __typename\n    ... on HibernateSuccess {\n      flushed\n      checkpoint {\n        ...CheckpointFields\n      }\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on ThreadRevRegression {\n      message\n      threadId\n      storedRev\n      localRev\n    }\n    ... on ThreadHistoryTruncated {\n      message\n      threadId\n      storedRev\n      firstSentSeq\n    }\n    ... on ThreadDiverged {\n      message\n      threadId\n      seq\n    }\n    ... on InvalidThreadPointer {\n      message\n      threadId\n      pointerRev\n      storedRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": types.HibernateDocument,
    "mutation PutCheckpoint($input: PutCheckpointInput!) {\n  putCheckpoint(input: $input) {\n    __typename\n    ... on PutCheckpointSuccess {\n      checkpoint {\n        ...CheckpointFields\n      }\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on InvalidThreadPointer {\n      message\n      threadId\n      pointerRev\n      storedRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": types.PutCheckpointDocument,
    "mutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    deleted\n  }\n}": types.RevokeApiKeyDocument,
    "query ServerInfo {\n  serverInfo {\n    version\n    storage\n  }\n}": types.ServerInfoDocument,
    "mutation SetThreadRetention($input: SetThreadRetentionInput!) {\n  setThreadRetention(input: $input) {\n    __typename\n    ... on SetThreadRetentionSuccess {\n      thread {\n        id\n        rev\n        firstSeq\n        retention {\n          maxEntries\n          maxAgeSeconds\n        }\n      }\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": types.SetThreadRetentionDocument,
    "mutation Thaw($agentType: String!, $agentId: String!, $allowJournalAhead: Boolean, $first: Int, $after: String) {\n  thaw(\n    agentType: $agentType\n    agentId: $agentId\n    allowJournalAhead: $allowJournalAhead\n  ) {\n    __typename\n    ... on ThawSuccess {\n      checkpoint {\n        ...CheckpointFields\n      }\n      thread {\n        ...ThreadFields\n        entries(first: $first, after: $after) {\n          totalCount\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n          edges {\n            node {\n              ...EntryFields\n            }\n          }\n        }\n      }\n      pendingEntries {\n        ...EntryFields\n      }\n    }\n    ... on CheckpointNotFound {\n      message\n      agentType\n      agentId\n    }\n    ... on MissingThread {\n      message\n      threadId\n      pointerRev\n    }\n    ... on ThreadMismatch {\n      message\n      threadId\n      pointerRev\n      storedRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": types.ThawDocument,
    "subscription ThreadEntries($threadId: ID!, $fromSeq: Int) {\n  threadEntries(threadId: $threadId, fromSeq: $fromSeq) {\n    __typename\n    ... on Entry {\n      ...EntryFields\n    }\n    ... on CaughtUp {\n      threadId\n      rev\n    }\n    ... on ThreadDeleted {\n      threadId\n    }\n    ... on JournalTrimmed {\n      threadId\n      firstSeq\n    }\n  }\n}": types.ThreadEntriesDocument,
    "query Thread($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  thread(id: $id) {\n    ...ThreadFields\n    entries(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...EntryFields\n        }\n      }\n    }\n  }\n}": types.ThreadDocument,
    "query Threads($first: Int, $after: String) {\n  threads(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ThreadFields\n      }\n    }\n  }\n}": types.ThreadsDocument,
    "mutation TrimThread($input: TrimThreadInput!) {\n  trimThread(input: $input) {\n    __typename\n    ... on TrimThreadSuccess {\n      dropped\n      thread {\n        id\n        rev\n        firstSeq\n      }\n    }\n    ... on TrimBeyondCheckpoint {\n      message\n      agentType\n      agentId\n      pointerRev\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": types.TrimThreadDocument,
    "query Viewer {\n  viewer {\n    namespace\n    scopes\n    authenticated\n    expiresAt\n  }\n}": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ApiKeys($first: Int, $after: String) {\n  apiKeys(first: $first, after: $after) {\n    edges {\n      node {\n        id\n        label\n        namespace\n        scopes\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): typeof import('./graphql.js').ApiKeysDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AppendEntries($input: AppendEntriesInput!) {\n  appendEntries(input: $input) {\n    __typename\n    ... on AppendEntriesSuccess {\n      replayed\n      thread {\n        ...ThreadFields\n      }\n      entries {\n        ...EntryFields\n      }\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}"): typeof import('./graphql.js').AppendEntriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription CheckpointEvents($agentType: String) {\n  checkpointEvents(agentType: $agentType) {\n    __typename\n    ... on CheckpointSaved {\n      checkpoint {\n        ...CheckpointFields\n      }\n    }\n    ... on CheckpointDeleted {\n      agentType\n      agentId\n    }\n  }\n}"): typeof import('./graphql.js').CheckpointEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Checkpoint($agentType: String!, $agentId: String!) {\n  checkpoint(agentType: $agentType, agentId: $agentId) {\n    ...CheckpointFields\n  }\n}"): typeof import('./graphql.js').CheckpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Checkpoints($agentType: String, $first: Int, $after: String) {\n  checkpoints(agentType: $agentType, first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...CheckpointFields\n      }\n    }\n  }\n}"): typeof import('./graphql.js').CheckpointsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateApiKey($input: CreateApiKeyInput!) {\n  createApiKey(input: $input) {\n    __typename\n    ... on CreateApiKeySuccess {\n      secret\n      apiKey {\n        id\n        label\n        namespace\n        scopes\n        createdAt\n        expiresAt\n        revokedAt\n      }\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}"): typeof import('./graphql.js').CreateApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteCheckpoint($agentType: String!, $agentId: String!) {\n  deleteCheckpoint(agentType: $agentType, agentId: $agentId) {\n    deleted\n  }\n}"): typeof import('./graphql.js').DeleteCheckpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteThread($id: ID!) {\n  deleteThread(id: $id) {\n    deleted\n  }\n}"): typeof import('./graphql.js').DeleteThreadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment EntryFields on Entry {\n  __typename\n  id\n  threadId\n  seq\n  at\n  kind\n  payload\n  refs\n}\n\nfragment ThreadFields on Thread {\n  __typename\n  id\n  rev\n  metadata\n  createdAt\n  updatedAt\n}\n\nfragment CheckpointFields on Checkpoint {\n  __typename\n  agentType\n  agentId\n  rev\n  version\n  state\n  createdAt\n  updatedAt\n  thread {\n    id\n    rev\n    thread {\n      id\n      rev\n      updatedAt\n    }\n  }\n}"): typeof import('./graphql.js').EntryFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Hibernate($input: HibernateInput!) {\n  hibernate(input: $input) {\n    __typename\n    ... on HibernateSuccess {\n      flushed\n      checkpoint {\n        ...CheckpointFields\n      }\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on ThreadRevRegression {\n      message\n      threadId\n      storedRev\n      localRev\n    }\n    ... on ThreadHistoryTruncated {\n      message\n      threadId\n      storedRev\n      firstSentSeq\n    }\n    ... on ThreadDiverged {\n      message\n      threadId\n      seq\n    }\n    ... on InvalidThreadPointer {\n      message\n      threadId\n      pointerRev\n      storedRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}"): typeof import('./graphql.js').HibernateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PutCheckpoint($input: PutCheckpointInput!) {\n  putCheckpoint(input: $input) {\n    __typename\n    ... on PutCheckpointSuccess {\n      checkpoint {\n        ...CheckpointFields\n      }\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on InvalidThreadPointer {\n      message\n      threadId\n      pointerRev\n      storedRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}"): typeof import('./graphql.js').PutCheckpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    deleted\n  }\n}"): typeof import('./graphql.js').RevokeApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ServerInfo {\n  serverInfo {\n    version\n    storage\n  }\n}"): typeof import('./graphql.js').ServerInfoDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetThreadRetention($input: SetThreadRetentionInput!) {\n  setThreadRetention(input: $input) {\n    __typename\n    ... on SetThreadRetentionSuccess {\n      thread {\n        id\n        rev\n        firstSeq\n        retention {\n          maxEntries\n          maxAgeSeconds\n        }\n      }\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}"): typeof import('./graphql.js').SetThreadRetentionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Thaw($agentType: String!, $agentId: String!, $allowJournalAhead: Boolean, $first: Int, $after: String) {\n  thaw(\n    agentType: $agentType\n    agentId: $agentId\n    allowJournalAhead: $allowJournalAhead\n  ) {\n    __typename\n    ... on ThawSuccess {\n      checkpoint {\n        ...CheckpointFields\n      }\n      thread {\n        ...ThreadFields\n        entries(first: $first, after: $after) {\n          totalCount\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n          edges {\n            node {\n              ...EntryFields\n            }\n          }\n        }\n      }\n      pendingEntries {\n        ...EntryFields\n      }\n    }\n    ... on CheckpointNotFound {\n      message\n      agentType\n      agentId\n    }\n    ... on MissingThread {\n      message\n      threadId\n      pointerRev\n    }\n    ... on ThreadMismatch {\n      message\n      threadId\n      pointerRev\n      storedRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}"): typeof import('./graphql.js').ThawDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription ThreadEntries($threadId: ID!, $fromSeq: Int) {\n  threadEntries(threadId: $threadId, fromSeq: $fromSeq) {\n    __typename\n    ... on Entry {\n      ...EntryFields\n    }\n    ... on CaughtUp {\n      threadId\n      rev\n    }\n    ... on ThreadDeleted {\n      threadId\n    }\n    ... on JournalTrimmed {\n      threadId\n      firstSeq\n    }\n  }\n}"): typeof import('./graphql.js').ThreadEntriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Thread($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n  thread(id: $id) {\n    ...ThreadFields\n    entries(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...EntryFields\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql.js').ThreadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Threads($first: Int, $after: String) {\n  threads(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ThreadFields\n      }\n    }\n  }\n}"): typeof import('./graphql.js').ThreadsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation TrimThread($input: TrimThreadInput!) {\n  trimThread(input: $input) {\n    __typename\n    ... on TrimThreadSuccess {\n      dropped\n      thread {\n        id\n        rev\n        firstSeq\n      }\n    }\n    ... on TrimBeyondCheckpoint {\n      message\n      agentType\n      agentId\n      pointerRev\n    }\n    ... on RevisionConflict {\n      message\n      expectedRev\n      actualRev\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}"): typeof import('./graphql.js').TrimThreadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  viewer {\n    namespace\n    scopes\n    authenticated\n    expiresAt\n  }\n}"): typeof import('./graphql.js').ViewerDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
