import { type Client as WsClient, createClient as createWsClient } from 'graphql-ws';
import { CryoClientError, toClientError, type WireGraphQLError } from './errors.js';
import {
  AppendEntriesDocument,
  type AppendEntriesInput,
  type AppendEntriesMutation,
  CheckpointDocument,
  type CheckpointEventsSubscription,
  type CheckpointEventsSubscriptionVariables,
  CheckpointEventsDocument,
  type CheckpointQuery,
  type CheckpointQueryVariables,
  CheckpointsDocument,
  type CheckpointsQuery,
  type CheckpointsQueryVariables,
  DeleteCheckpointDocument,
  type DeleteCheckpointMutation,
  type DeleteCheckpointMutationVariables,
  DeleteThreadDocument,
  type DeleteThreadMutation,
  type DeleteThreadMutationVariables,
  HibernateDocument,
  type HibernateInput,
  type HibernateMutation,
  PutCheckpointDocument,
  type PutCheckpointInput,
  type PutCheckpointMutation,
  ServerInfoDocument,
  type ServerInfoQuery,
  ThawDocument,
  type ThawMutation,
  type ThawMutationVariables,
  ThreadDocument,
  ThreadEntriesDocument,
  type ThreadEntriesSubscriptionVariables,
  type ThreadQuery,
  type ThreadQueryVariables,
  ThreadsDocument,
  type ThreadsQuery,
  type ThreadsQueryVariables,
  ApiKeysDocument,
  type ApiKeysQuery,
  type ApiKeysQueryVariables,
  CreateApiKeyDocument,
  type CreateApiKeyInput,
  type CreateApiKeyMutation,
  RevokeApiKeyDocument,
  type RevokeApiKeyMutation,
  ViewerDocument,
  type ViewerQuery,
} from './gql/graphql.js';
import { type HeadersOption, postGraphQL, resolveHeaders, type TypedDocument } from './http.js';
import { type AttemptSink, defaultRetryDelay, Resubscriber } from './resubscribe.js';
import { type ThreadEntriesEvent, type ThreadWatch, type WatchThreadOptions, watchThread } from './watch-thread.js';

/** One checkpoint event (CheckpointSaved or CheckpointDeleted; switch on __typename). */
export type CheckpointEvent = CheckpointEventsSubscription['checkpointEvents'];

/** State of the client's one WebSocket. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnected';

/** Options of createCryoClient. */
export interface CryoClientOptions {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** The WebSocket endpoint. @default `url` with http(s) replaced by ws(s) */
  wsUrl?: string;
  /** Sent as HTTP headers and as the graphql-ws `connectionParams` (browsers cannot set WS headers). */
  headers?: HeadersOption;
  /**
   * The credential (an API key `cryo_…` or a JWT), or a function returning it before each request
   * and each WebSocket connection: sent as `Authorization: Bearer <token>` over HTTP and as
   * `{ authorization: "Bearer <token>" }` in graphql-ws `connection_init`. Null/omitted: none
   * (a server on loopback with auth off needs none).
   */
  token?: string | null | (() => string | null | Promise<string | null>);
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** A WebSocket constructor. @default globalThis.WebSocket (the Node entry point defaults to `ws`) */
  webSocketImpl?: unknown;
  /** Delay before resubscription attempt number `attempt`. @default 250 ms doubling to 5 s, jittered */
  retryDelay?(attempt: number): number;
}

/** Options of watchCheckpoints. */
export interface WatchCheckpointsOptions {
  /** Only this agent type. */
  agentType?: string | null;
  onEvent(event: CheckpointEvent): void;
  /** `reconnecting` after a drop (events in between are lost: re-read the list on `connected`), `failed` when permanent. */
  onStatus?(status: 'reconnecting' | 'failed', error: CryoClientError): void;
}

/** A typed Cryo client: one function per saved operation in playground/operations. */
export interface CryoClient {
  serverInfo(): Promise<ServerInfoQuery['serverInfo']>;
  /** Who the credential is: namespace, scopes, expiry. */
  viewer(): Promise<ViewerQuery['viewer']>;
  /** The API keys of the namespace (admin scope). */
  apiKeys(variables?: ApiKeysQueryVariables): Promise<ApiKeysQuery['apiKeys']>;
  /** Creates an API key (admin scope); the secret is in the answer only. */
  createApiKey(input: CreateApiKeyInput): Promise<CreateApiKeyMutation['createApiKey']>;
  /** Revokes an API key of the namespace (admin scope). */
  revokeApiKey(id: string): Promise<RevokeApiKeyMutation['revokeApiKey']>;
  thread(variables: ThreadQueryVariables): Promise<ThreadQuery['thread']>;
  threads(variables?: ThreadsQueryVariables): Promise<ThreadsQuery['threads']>;
  checkpoint(variables: CheckpointQueryVariables): Promise<CheckpointQuery['checkpoint']>;
  checkpoints(variables?: CheckpointsQueryVariables): Promise<CheckpointsQuery['checkpoints']>;
  appendEntries(input: AppendEntriesInput): Promise<AppendEntriesMutation['appendEntries']>;
  putCheckpoint(input: PutCheckpointInput): Promise<PutCheckpointMutation['putCheckpoint']>;
  deleteCheckpoint(variables: DeleteCheckpointMutationVariables): Promise<DeleteCheckpointMutation['deleteCheckpoint']>;
  deleteThread(variables: DeleteThreadMutationVariables): Promise<DeleteThreadMutation['deleteThread']>;
  hibernate(input: HibernateInput): Promise<HibernateMutation['hibernate']>;
  thaw(variables: ThawMutationVariables): Promise<ThawMutation['thaw']>;
  /**
   * One raw threadEntries subscription: no reconnects, no deduplication. Ends with a
   * CryoClientError when the connection drops. Prefer watchThread for a journal you follow.
   */
  threadEntries(variables: ThreadEntriesSubscriptionVariables): AsyncIterableIterator<ThreadEntriesEvent>;
  /** One raw checkpointEvents subscription (ends with a CryoClientError when the connection drops). */
  checkpointEvents(variables?: CheckpointEventsSubscriptionVariables): AsyncIterableIterator<CheckpointEvent>;
  /** Follows a journal gap-free and duplicate-free across reconnects (see watchThread). */
  watchThread(threadId: string, options: WatchThreadOptions): ThreadWatch;
  /** Follows checkpoint events, resubscribing after drops. Returns a stop function. */
  watchCheckpoints(options: WatchCheckpointsOptions): () => void;
  /** Runs any typed document over HTTP (queries and mutations). */
  request<TResult, TVariables>(document: TypedDocument<TResult, TVariables>, variables: TVariables): Promise<TResult>;
  /** The WebSocket's state (`idle` until the first subscription). */
  readonly connectionState: ConnectionState;
  /** Listens to connection state changes; returns the unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Stops every subscription and closes the WebSocket. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a typed client: queries and mutations over HTTP (fetch), subscriptions over one lazy
 * graphql-ws WebSocket. Domain results come back as the typed unions (switch on __typename);
 * only transport and infrastructure failures throw, as CryoClientError. Works in browsers and in
 * Node (pass `webSocketImpl` on Node < 22, or use the `cryo/client` entry point that does).
 * It does NOT retry queries or mutations.
 */
export function createCryoClient(options: CryoClientOptions): CryoClient {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const headers: HeadersOption = async () => {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    return { ...(await resolveHeaders(options.headers)), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  };
  const retryDelay = options.retryDelay ?? defaultRetryDelay;
  let ws: WsClient | null = null;
  let connectionState: ConnectionState = 'idle';
  const listeners = new Set<(state: ConnectionState) => void>();
  const stops = new Set<() => void>();

  const setConnection = (state: ConnectionState) => {
    if (state === connectionState) return;
    connectionState = state;
    for (const listener of listeners) listener(state);
  };

  const socket = (): WsClient => {
    if (ws) return ws;
    const webSocketImpl = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (!webSocketImpl) {
      throw new CryoClientError('No WebSocket implementation: pass webSocketImpl (e.g. `ws`) on Node < 22', { code: 'NO_WEBSOCKET' });
    }
    ws = createWsClient({
      url: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
      webSocketImpl,
      connectionParams: async () => resolveHeaders(headers),
      // Resubscription is ours (Resubscriber): graphql-ws would resend the original fromSeq.
      retryAttempts: 0,
      on: {
        connecting: () => setConnection('connecting'),
        connected: () => setConnection('connected'),
        closed: () => setConnection('disconnected'),
      },
    });
    return ws;
  };

  const subscribeOnce = <T>(query: string, variables: Record<string, unknown>, pick: (data: Record<string, unknown>) => T, sink: AttemptSink<T>) =>
    socket().subscribe<Record<string, unknown>>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors && result.errors.length > 0) sink.error(result.errors as WireGraphQLError[]);
          else if (result.data) sink.next(pick(result.data));
        },
        error: (error) => sink.error(error),
        complete: () => sink.complete(),
      },
    );

  const iterate = <T>(query: string, variables: Record<string, unknown>, pick: (data: Record<string, unknown>) => T) =>
    mapIterator(socket().iterate<Record<string, unknown>>({ query, variables }), pick);

  const request = <TResult, TVariables>(document: TypedDocument<TResult, TVariables>, variables: TVariables) =>
    postGraphQL(fetchImpl, options.url, headers, document, variables);

  return {
    serverInfo: async () => (await request(ServerInfoDocument, {})).serverInfo,
    viewer: async () => (await request(ViewerDocument, {})).viewer,
    apiKeys: async (variables = {}) => (await request(ApiKeysDocument, variables)).apiKeys,
    createApiKey: async (input) => (await request(CreateApiKeyDocument, { input })).createApiKey,
    revokeApiKey: async (id) => (await request(RevokeApiKeyDocument, { id })).revokeApiKey,
    thread: async (variables) => (await request(ThreadDocument, variables)).thread,
    threads: async (variables = {}) => (await request(ThreadsDocument, variables)).threads,
    checkpoint: async (variables) => (await request(CheckpointDocument, variables)).checkpoint,
    checkpoints: async (variables = {}) => (await request(CheckpointsDocument, variables)).checkpoints,
    appendEntries: async (input) => (await request(AppendEntriesDocument, { input })).appendEntries,
    putCheckpoint: async (input) => (await request(PutCheckpointDocument, { input })).putCheckpoint,
    deleteCheckpoint: async (variables) => (await request(DeleteCheckpointDocument, variables)).deleteCheckpoint,
    deleteThread: async (variables) => (await request(DeleteThreadDocument, variables)).deleteThread,
    hibernate: async (input) => (await request(HibernateDocument, { input })).hibernate,
    thaw: async (variables) => (await request(ThawDocument, variables)).thaw,
    threadEntries: (variables) =>
      iterate(ThreadEntriesDocument.toString(), variables, (data) => data.threadEntries as ThreadEntriesEvent),
    checkpointEvents: (variables = {}) =>
      iterate(CheckpointEventsDocument.toString(), variables, (data) => data.checkpointEvents as CheckpointEvent),
    watchThread(threadId, watchOptions) {
      const watch = watchThread(
        (variables, sink) =>
          subscribeOnce(ThreadEntriesDocument.toString(), variables, (data) => data.threadEntries as ThreadEntriesEvent, sink),
        threadId,
        watchOptions,
        retryDelay,
      );
      const stop = () => watch.close();
      stops.add(stop);
      return {
        get lastSeen() {
          return watch.lastSeen;
        },
        get trimmedBefore() {
          return watch.trimmedBefore;
        },
        get status() {
          return watch.status;
        },
        close() {
          stops.delete(stop);
          watch.close();
        },
      };
    },
    watchCheckpoints(watchOptions) {
      const variables = { agentType: watchOptions.agentType ?? null };
      const resubscriber = new Resubscriber<CheckpointEvent>({
        start: (sink) =>
          subscribeOnce(CheckpointEventsDocument.toString(), variables, (data) => data.checkpointEvents as CheckpointEvent, sink),
        onValue: (event) => {
          resubscriber.resetBackoff();
          watchOptions.onEvent(event);
        },
        onComplete: () => true,
        onRetrying: (error) => watchOptions.onStatus?.('reconnecting', error),
        onFatal: (error) => watchOptions.onStatus?.('failed', error),
        retryDelay,
      });
      resubscriber.restart();
      const stop = () => resubscriber.close();
      stops.add(stop);
      return () => {
        stops.delete(stop);
        stop();
      };
    },
    request,
    get connectionState() {
      return connectionState;
    },
    onConnection(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      for (const stop of [...stops]) stop();
      stops.clear();
      const current = ws;
      ws = null;
      if (current) await current.dispose();
      setConnection('idle');
      listeners.clear();
    },
  };
}

/** Maps a graphql-ws result iterator to the root field's values, throwing GraphQL errors as CryoClientError. */
async function* mapIterator<T>(
  source: AsyncIterableIterator<{ data?: Record<string, unknown> | null; errors?: readonly unknown[] }>,
  pick: (data: Record<string, unknown>) => T,
): AsyncIterableIterator<T> {
  try {
    for await (const result of source) {
      if (result.errors && result.errors.length > 0) throw CryoClientError.fromGraphQLErrors(result.errors as WireGraphQLError[]);
      if (result.data) yield pick(result.data);
    }
  } catch (error) {
    throw toClientError(error);
  } finally {
    await source.return?.();
  }
}
