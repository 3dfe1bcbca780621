import { WebSocket } from 'ws';
import { type CryoClient, type CryoClientOptions, createCryoClient as createUniversalClient } from './cryo-client.js';

export type { CheckpointEvent, ConnectionState, CryoClient, CryoClientOptions, WatchCheckpointsOptions } from './cryo-client.js';
export { CryoClientError, type WireGraphQLError } from './errors.js';
export type { HeadersOption, TypedDocument } from './http.js';
export type { ThreadEntriesEvent, ThreadWatch, WatchStatus, WatchThreadOptions } from './watch-thread.js';
export type * from './gql/graphql.js';
export * as documents from './documents.js';

/**
 * The Node entry point (`cryo/client`): createCryoClient with the `ws` package as the default
 * WebSocket, since Node 20 has no global WebSocket. Browsers import `./cryo-client.js` instead.
 */
export function createCryoClient(options: CryoClientOptions): CryoClient {
  return createUniversalClient({ webSocketImpl: WebSocket, ...options });
}
