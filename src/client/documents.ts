/**
 * The generated typed documents of every saved operation, for `client.request(document, vars)`
 * or another GraphQL client. Strings (codegen `documentMode: 'string'`), fragments included.
 */
export {
  ApiKeysDocument,
  AppendEntriesDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  ViewerDocument,
  CheckpointDocument,
  CheckpointEventsDocument,
  CheckpointsDocument,
  DeleteCheckpointDocument,
  DeleteThreadDocument,
  HibernateDocument,
  PutCheckpointDocument,
  ServerInfoDocument,
  ThawDocument,
  ThreadDocument,
  ThreadEntriesDocument,
  ThreadsDocument,
} from './gql/graphql.js';
