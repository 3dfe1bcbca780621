import type { Plugin } from 'graphql-yoga';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator.js';
import { Unauthenticated, WWW_AUTHENTICATE } from '../auth/errors.js';
import type { FairUse } from '../auth/fair-use.js';
import { ANONYMOUS, type Identity } from '../auth/identity.js';

/** The caller of one operation: its identity and its fair-use key. */
export interface Caller {
  identity: Identity;
  client: string;
}

/** Options of {@link Access}. */
export interface AccessOptions {
  /** Whether a credential is required (CRYO_AUTH resolved against the host). */
  required: boolean;
  authenticator: Authenticator;
  fairUse: FairUse;
  graphqlEndpoint: string;
  logger: Logger;
}

/**
 * Who may call, over every transport. HTTP (queries, mutations, SSE): a Yoga plugin checks
 * `Authorization: Bearer …` before anything is parsed and answers 401 (`WWW-Authenticate:
 * Bearer`, UNAUTHENTICATED), 503 when storage cannot be asked, or 429 (`Retry-After`) past the
 * request rate; the GraphiQL page itself (GET, text/html) needs no credential. graphql-ws calls
 * {@link connect} with the `authorization` of `connection_init`. With auth off every caller is
 * ANONYMOUS ("default", all scopes) and caps go by client address. Never logs a token.
 */
export class Access {
  readonly #callers = new WeakMap<object, Caller>();
  /** One Caller per authenticated identity (its client is the identity's subject), so admitting a request allocates none. */
  readonly #callerOfIdentity = new WeakMap<Identity, Caller>();

  constructor(readonly options: AccessOptions) {}

  /** The Yoga plugin guarding HTTP requests at the GraphQL endpoint. */
  plugin(): Plugin {
    const { graphqlEndpoint } = this.options;
    return {
      onRequest: ({ request, url, serverContext, fetchAPI, endResponse }) => {
        if (url.pathname !== graphqlEndpoint || request.method === 'OPTIONS') return;
        if (request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html')) return;
        const address = addressOf((serverContext as { req?: IncomingMessage } | undefined)?.req);
        const reply = (refusal: AccessRefusal) => endResponse(new fetchAPI.Response(refusal.body, refusal));
        const admit = (caller: Caller) => {
          const refusal = this.admit(caller);
          if (refusal) return reply(refusal);
          this.#callers.set(request, caller);
        };
        const authorization = request.headers.get('authorization');
        // A credential verified moments ago (the common case) is admitted without a promise.
        const known = this.knownCaller(authorization, address);
        if (known) return admit(known);
        return this.identify(authorization, address).then(
          admit,
          (error: unknown) => {
            if (error instanceof Unauthenticated) {
              return reply(accessRefusal(401, 'UNAUTHENTICATED', `unauthenticated: ${error.reason}`, { 'WWW-Authenticate': WWW_AUTHENTICATE }));
            }
            this.options.logger.warn({ err: error }, 'authentication failed: storage unavailable');
            return reply(accessRefusal(503, 'STORAGE_UNAVAILABLE', 'cannot check the credential: storage unavailable, retry later'));
          },
        );
      },
    };
  }

  /**
   * Takes one request from the caller's fair-use budget: undefined when admitted, else the 429
   * refusal to answer with (`Retry-After`). Call it once per HTTP request, after the caller is known.
   */
  admit(caller: Caller): AccessRefusal | undefined {
    const wait = this.options.fairUse.takeRequest(caller.client);
    if (wait <= 0) return undefined;
    return accessRefusal(429, 'TOO_MANY_REQUESTS', `too many requests for this credential: retry in ${wait} s`, { 'Retry-After': String(wait) });
  }

  /**
   * Whether a request may read `/metrics`: always with auth off; else its credential must carry
   * the `metrics` scope (false: 403). A missing or bad credential is answered 401 here, as at the
   * GraphQL endpoint. Prometheus sends the token as `Authorization: Bearer …` (`authorization` in
   * a scrape config).
   */
  async authorizeMetrics(request: Request): Promise<boolean | Response> {
    if (!this.options.required) return true;
    try {
      const identity = await this.options.authenticator.authenticate(request.headers.get('authorization'));
      return identity.scopes.has('metrics');
    } catch (error) {
      if (!(error instanceof Unauthenticated)) throw error;
      return new Response(`unauthenticated: ${error.reason}\n`, {
        status: 401,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'WWW-Authenticate': WWW_AUTHENTICATE },
      });
    }
  }

  /** The caller for an `Authorization` value (HTTP header or graphql-ws connection_init). */
  async identify(authorization: string | null | undefined, address: string): Promise<Caller> {
    if (!this.options.required) return { identity: ANONYMOUS, client: `ip:${address}` };
    const identity = await this.options.authenticator.authenticate(authorization);
    return { identity, client: identity.subject ?? `ip:${address}` };
  }

  /**
   * The caller when it is known without waiting: auth off, or a credential in the authenticator's
   * cache; undefined when finding out needs {@link identify} (which also gives the refusals). Takes
   * nothing from the fair-use budget.
   */
  knownCaller(authorization: string | null, address: string): Caller | undefined {
    if (!this.options.required) return { identity: ANONYMOUS, client: `ip:${address}` };
    const identity = this.options.authenticator.cachedIdentity(authorization);
    if (!identity) return undefined;
    if (identity.subject === null) return { identity, client: `ip:${address}` };
    let caller = this.#callerOfIdentity.get(identity);
    if (!caller) this.#callerOfIdentity.set(identity, (caller = { identity, client: identity.subject }));
    return caller;
  }

  /**
   * The caller of an operation, from Yoga's initial context: an HTTP request this plugin let
   * through, a request the fast lane admitted (`caller`, server/fast-lane.ts), or a WebSocket
   * whose `extra.caller` was set at connection_init. Throws
   * Unauthenticated when neither (never expected: a guard, not a path).
   */
  callerOf(initial: { request?: object; caller?: Caller; extra?: { caller?: Caller } } | undefined): Caller {
    const caller = initial?.caller ?? initial?.extra?.caller ?? (initial?.request ? this.#callers.get(initial.request) : undefined);
    if (caller) return caller;
    if (!this.options.required) return { identity: ANONYMOUS, client: 'ip:unknown' };
    throw new Unauthenticated('no credential');
  }
}

/** A refusal at the door: status, headers and a GraphQL-shaped JSON body. */
export interface AccessRefusal {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function accessRefusal(status: number, code: string, message: string, headers: Record<string, string> = {}): AccessRefusal {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify({ errors: [{ message, extensions: { code } }] }),
  };
}

/** The client address of a Node request, for per-address caps. */
export function addressOf(req: IncomingMessage | undefined): string {
  return req?.socket?.remoteAddress ?? 'unknown';
}
