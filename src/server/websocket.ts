import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { Unauthenticated } from '../auth/errors.js';
import type { Attach } from './attachment.js';
import { addressOf, type Caller } from './access.js';
import { isCrossOrigin } from './origin.js';
import { SocketGuard } from './socket-guard.js';
import { OVER_WEBSOCKET } from './websocket-subscribe.js';

/** Options of {@link createWebSocketAttachment}. */
export interface WebSocketOptions {
  /** Operations one socket may run at once; one more gets an operation error. @default 100 */
  maxSubscriptionsPerSocket?: number;
}

type Enveloped = {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
};

const DEFAULT_MAX_SUBSCRIPTIONS_PER_SOCKET = 100;

/**
 * graphql-ws (`graphql-transport-ws` protocol) on the HTTP server's port and Yoga's path.
 * Every operation goes through `yoga.getEnveloped`, so WebSocket operations get the same
 * parse/validate cache, graphql-armor limits, error masking and context as HTTP. Hardening:
 * a syntax error, an invalid or over-limit operation, a context failure, or one operation too
 * many on a socket (`maxSubscriptionsPerSocket`) is an operation error on that id and never
 * closes the socket or its other subscriptions; an error thrown by a running stream becomes a
 * final `next` with masked errors, then `complete`. Messages above `limits.maxRequestBytes`
 * close the socket (1009, by `ws`). On close, sockets get 1001 (clients reconnect elsewhere).
 * Upgrades from another origin are refused with 403 (server/origin.ts). Authentication: the
 * `authorization` of `connection_init` (server/access.ts); a bad one closes with 4403, one
 * connection past the per-credential cap with 4429; a credential that expires or is revoked
 * (on any instance) closes its sockets with 4403 (server/socket-guard.ts).
 */
export function createWebSocketAttachment(options: WebSocketOptions = {}): Attach {
  const maxSubscriptions = options.maxSubscriptionsPerSocket ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_SOCKET;
  return ({ server, yoga, config, logger, access, authenticator, fairUse }) => {
    const wss = new WebSocketServer({
      server,
      path: yoga.graphqlEndpoint,
      maxPayload: config.limits.maxRequestBytes,
      verifyClient: ({ req }, accept) => (isCrossOrigin(req, config.allowedOrigins) ? accept(false, 403, 'cross-origin WebSocket refused') : accept(true)),
    });
    const enveloped = (args: ExecutionArgs) => args.rootValue as Enveloped;
    const guardSockets = new SocketGuard(authenticator, logger);
    const disposable = useServer<Record<string, unknown> | undefined, { caller?: Caller; release?: () => void }>(
      {
        isProd: config.production,
        onConnect: async (ctx) => {
          const params = ctx.connectionParams;
          // Header names are case-insensitive: a client may send `Authorization` as its HTTP header name.
          const key = Object.keys(params ?? {}).find((k) => k.toLowerCase() === 'authorization');
          const value = key === undefined ? undefined : params?.[key];
          const authorization = typeof value === 'string' ? value : null;
          let caller: Caller;
          try {
            caller = await access.identify(authorization, addressOf(ctx.extra.request));
          } catch (error) {
            if (!(error instanceof Unauthenticated)) logger.warn({ err: error }, 'websocket authentication failed');
            return false; // graphql-ws closes with 4403 Forbidden
          }
          const release = fairUse.openSocket(caller.client);
          if (!release) {
            ctx.extra.socket.close(4429, 'too many connections for this credential');
            return false;
          }
          ctx.extra.caller = caller;
          ctx.extra.release = release;
          forgetUpgradeRequest(ctx.extra);
          ctx.extra.socket.once('close', () => {
            release();
            guardSockets.forget(ctx.extra.socket);
          });
          if (caller.identity.authenticated) guardSockets.watch(ctx.extra.socket, caller.identity);
          return true;
        },
        execute: (args) => guard(() => enveloped(args).execute(args)),
        subscribe: (args) => guard(() => enveloped(args).subscribe(args)),
        onSubscribe: async (ctx, _id, params) => {
          const caller = ctx.extra.caller;
          const wait = caller ? fairUse.takeRequest(caller.client) : 0;
          if (wait > 0) {
            return [new GraphQLError(`too many requests for this credential: retry in ${wait} s`, { extensions: { code: 'TOO_MANY_REQUESTS', retryAfter: wait } })];
          }
          if (Object.keys(ctx.subscriptions).length > maxSubscriptions) {
            return [
              new GraphQLError(`too many operations on this connection (at most ${maxSubscriptions} at once)`, {
                extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
              }),
            ];
          }
          try {
            // Only what the context needs (the caller, in `extra`): an operation's context lives as
            // long as its stream, so it must not pin the connection's state (bench/README.md, "Live").
            const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
              extra: ctx.extra,
              socket: ctx.extra.socket,
              params,
              [OVER_WEBSOCKET]: true,
            });
            const document = parse(params.query);
            const errors = validate(schema, document);
            if (errors.length > 0) return [...errors];
            return {
              schema,
              document,
              operationName: params.operationName,
              variableValues: params.variables,
              contextValue: await contextFactory(),
              rootValue: { execute, subscribe } satisfies Enveloped,
            };
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            logger.error({ err: error }, 'websocket operation setup failed');
            return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
          }
        },
      },
      wss,
    );
    let closing: Promise<void> | undefined;
    return {
      close: () => (closing ??= Promise.resolve(disposable.dispose()).finally(() => guardSockets.close())),
    };
  };
}

/** graphql-ws on the HTTP server with the defaults of {@link WebSocketOptions}. */
export const attachWebSocket: Attach = createWebSocketAttachment();

/**
 * Drops graphql-ws's reference to the HTTP upgrade request once the connection is authenticated:
 * nothing reads it afterwards (the client address is taken in onConnect), and each request kept
 * with its headers cost ~1.5 KiB per idle socket (bench/README.md, "Live").
 */
function forgetUpgradeRequest(extra: { request?: unknown }): void {
  extra.request = undefined;
}

/** Runs execute/subscribe so that neither a throw nor a failing stream can reach graphql-ws's socket-closing path. */
async function guard(run: () => unknown): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
  let result: unknown;
  try {
    result = await run();
  } catch (error) {
    return { errors: [asGraphQLError(error)] };
  }
  if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
    return endWithErrors(result as AsyncIterable<ExecutionResult>);
  }
  return result as ExecutionResult;
}

/**
 * Turns a stream's failure into a final result with errors. A plain iterator, not an async
 * generator: a generator would queue `return()` behind a pending `next()`, so a client's
 * `complete` would not reach the live subscription until its next event. A class, so that an
 * idle subscription holds one small object rather than a closure per method (bench/README.md, "Live").
 */
function endWithErrors(stream: AsyncIterable<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
  return new ErrorEndingStream(stream[Symbol.asyncIterator]());
}

const FINISHED: IteratorReturnResult<undefined> = { value: undefined, done: true };

class ErrorEndingStream implements AsyncIterableIterator<ExecutionResult> {
  #done = false;

  constructor(readonly inner: AsyncIterator<ExecutionResult>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.#done) return FINISHED;
    try {
      const result = await this.inner.next();
      if (result.done) this.#done = true;
      return result;
    } catch (error) {
      if (this.#done) return FINISHED;
      this.#done = true;
      return { value: { errors: [asGraphQLError(error)] }, done: false };
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.#done = true;
    await this.inner.return?.();
    return FINISHED;
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.#done = true;
    await this.inner.return?.();
    throw error;
  }
}

function asGraphQLError(error: unknown): GraphQLError {
  return error instanceof GraphQLError
    ? error
    : new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
