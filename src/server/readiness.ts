import type { Plugin } from 'graphql-yoga';
import type { Storage } from '../storage/types.js';
import { withTimeout } from '../util/with-timeout.js';

/**
 * Readiness for load balancers: `GET /ready` answers 200 `{"status":"ready"}` while the server
 * accepts work and its storage answers a ping, else 503 with `"draining"` (shutdown began) or
 * `"storage unavailable"` (the ping failed or took over `pingTimeoutMs`). The reason is fixed
 * text: no internal detail leaks. Liveness (`/health`) is Yoga's built-in endpoint and does not
 * touch storage.
 */
export class Readiness {
  #accepting = true;

  /** @param pingTimeoutMs a ping slower than this counts as a failure. @default 2000 */
  constructor(
    private readonly storage: Storage,
    private readonly pingTimeoutMs = 2000,
  ) {}

  /** Stops reporting ready (first step of a graceful shutdown). Irreversible. */
  drain(): void {
    this.#accepting = false;
  }

  /** True until {@link drain}. */
  get accepting(): boolean {
    return this.#accepting;
  }

  /** The Yoga plugin serving `/ready`. */
  plugin(endpoint = '/ready'): Plugin {
    return {
      onRequest: ({ url, fetchAPI, endResponse }) => {
        if (url.pathname !== endpoint) return;
        const reply = (status: number, body: string) =>
          endResponse(
            new fetchAPI.Response(JSON.stringify({ status: body }), {
              status,
              headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
            }),
          );
        if (!this.#accepting) return reply(503, 'draining');
        return this.#ping().then(
          () => reply(this.#accepting ? 200 : 503, this.#accepting ? 'ready' : 'draining'),
          () => reply(503, 'storage unavailable'),
        );
      },
    };
  }

  #ping(): Promise<void> {
    return withTimeout(this.storage.ping(), this.pingTimeoutMs, () => new Error('ping timed out'));
  }
}
