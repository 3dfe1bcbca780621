import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';

/**
 * The HTTP responses currently carrying a subscription (SSE), so that a stop can cut them at once:
 * a live stream never finishes by itself, and waiting for it would hold every stop for the whole
 * grace period. Cutting drops the connection (the client sees a network error and reconnects,
 * as after a WebSocket 1001); it does NOT send a `complete` (which would tell the client the
 * subscription ended for good). Subscriptions over WebSocket are not tracked here (their context
 * has no `res`; the WebSocket attachment closes them).
 */
export class HttpSubscriptions {
  readonly #open = new Set<ServerResponse>();
  #cut = false;

  /** A Yoga plugin that records each subscription started over HTTP until its response closes. */
  plugin(): Plugin {
    return {
      onSubscribe: ({ args }) => {
        const { req, res } = args.contextValue as { req?: IncomingMessage; res?: ServerResponse };
        if (!req || !res || res.closed) return;
        if (this.#cut) {
          res.socket?.destroy();
          return;
        }
        this.#open.add(res);
        res.once('close', () => this.#open.delete(res));
      },
    };
  }

  /** Destroys the connection of every open HTTP subscription, and of any started afterwards. */
  cutAll(): void {
    this.#cut = true;
    for (const res of this.#open) res.socket?.destroy();
    this.#open.clear();
  }
}
