import { subscribe } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Marks the initial context of an operation received over graphql-ws (server/websocket.ts), so
 * that {@link useStandardSubscribeOverWebSocket} can tell it from an HTTP (SSE) one.
 */
export const OVER_WEBSOCKET: unique symbol = Symbol('cryo.overWebSocket');

/**
 * A Yoga plugin that runs graphql-ws subscriptions on graphql-js's `subscribe` instead of
 * Yoga's default executor (@graphql-tools/executor). The latter supports @defer/@stream and
 * abort signals, and pays for it on every event of every subscriber: each event's result is
 * wrapped in an async iterable of its own and flattened again, ~3 promise hops and a suspended
 * generator per subscriber more than graphql-js (bench/README.md, "Live"). Over WebSocket there
 * is no abort signal (graphql-ws ends a stream with `return()`) and the schema has no
 * @defer/@stream, so the results are the same. List it before plugins that wrap the subscribe
 * function (metrics, tracing). It does NOT touch HTTP subscriptions (SSE), whose request signal
 * the default executor honours, nor queries and mutations.
 */
export function useStandardSubscribeOverWebSocket(): Plugin {
  return {
    onSubscribe({ args, setSubscribeFn }) {
      const context = args.contextValue as { [OVER_WEBSOCKET]?: boolean } | undefined;
      if (context?.[OVER_WEBSOCKET]) setSubscribeFn(subscribe as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}
