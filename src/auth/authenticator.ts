import type { Storage, Unsubscribe } from '../storage/types.js';
import { apiKeyIdOf, hashToken, looksLikeApiKey, tokenMatches } from './api-key-token.js';
import { Unauthenticated } from './errors.js';
import { expandScopes, isExpired, type Identity } from './identity.js';
import { JwtVerifier, type JwtSettings } from './jwt.js';

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  storage: Storage;
  jwt?: JwtSettings;
  /**
   * How long a verified credential is trusted without looking at storage again. Revocations
   * reach every instance at once through the change feed; this bounds the delay when a
   * notification was lost. @default 10000
   */
  cacheMs?: number;
  /** Most credentials cached at once (the cache is emptied when full). @default 10000 */
  maxCached?: number;
  /** Clock, ms. @default Date.now */
  now?: () => number;
}

interface Cached {
  until: number;
  identity: Promise<Identity>;
  /** The identity once `identity` resolved (for {@link Authenticator.cachedIdentity}). */
  settled?: Identity;
}

const BEARER = /^Bearer +([\x21-\x7e]{1,4096})$/i;

/**
 * Turns an `Authorization` value into an {@link Identity}: API keys (`cryo_…`, looked up by id,
 * the hash compared in constant time, expiry and revocation checked) and JWTs (see
 * JwtVerifier). A verified credential is cached by the SHA-256 of the token (never the token)
 * for `cacheMs`, so a request costs one hash and one map lookup, not a storage read; a
 * revocation (the storage's change feed, from any instance) or a feed outage empties the
 * affected entries at once, and {@link onRevoked} tells open sockets. Errors are Unauthenticated
 * with a reason that never contains the token.
 */
export class Authenticator {
  readonly #storage: Storage;
  readonly #jwt: JwtVerifier;
  readonly #cacheMs: number;
  readonly #maxCached: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();
  readonly #revokedListeners = new Set<(keyId: string) => void>();
  #stop: Unsubscribe | null = null;
  #stopStatus: (() => void) | null = null;

  constructor(options: AuthenticatorOptions) {
    this.#storage = options.storage;
    this.#jwt = new JwtVerifier(options.jwt ?? {});
    this.#cacheMs = options.cacheMs ?? 10_000;
    this.#maxCached = options.maxCached ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Listens to revocations. Resolves once the listener is active. */
  async start(): Promise<void> {
    this.#stop = await this.#storage.changes.subscribeApiKeys((event) => {
      if (event.type === 'api-key-revoked') this.#revoked(event.keyId);
    });
    this.#stopStatus =
      this.#storage.changes.onStatus?.((healthy) => {
        // Notifications may have been lost meanwhile: trust nothing cached.
        if (healthy) this.#cache.clear();
      }) ?? null;
  }

  /** Stops listening. Idempotent. */
  async close(): Promise<void> {
    this.#stopStatus?.();
    this.#stopStatus = null;
    await this.#stop?.();
    this.#stop = null;
    this.#cache.clear();
  }

  /** Calls `listener(keyId)` whenever an API key is revoked (on any instance). */
  onRevoked(listener: (keyId: string) => void): () => void {
    this.#revokedListeners.add(listener);
    return () => void this.#revokedListeners.delete(listener);
  }

  /** The identity of an `Authorization: Bearer …` value; Unauthenticated when there is none or it is bad. */
  authenticate(authorization: string | null | undefined): Promise<Identity> {
    if (authorization == null || authorization === '') return Promise.reject(new Unauthenticated('no credential (send Authorization: Bearer <token>)'));
    const match = BEARER.exec(authorization.trim());
    if (!match) return Promise.reject(new Unauthenticated('malformed Authorization header (expected "Bearer <token>")'));
    return this.authenticateToken(match[1]!);
  }

  /**
   * The identity of an `Authorization` value when it can be answered from the cache without
   * waiting: a well-formed header whose token was verified less than `cacheMs` ago and has not
   * expired since. Otherwise undefined — then call {@link authenticate}, which answers every case
   * (errors included); for a cached token both give the same identity. Lets the HTTP guard admit
   * a request without a promise per request (server/access.ts).
   */
  cachedIdentity(authorization: string | null | undefined): Identity | undefined {
    if (!authorization) return undefined;
    const match = BEARER.exec(authorization.trim());
    if (!match) return undefined;
    const cached = this.#cache.get(hashToken(match[1]!));
    const now = this.#now();
    if (!cached?.settled || cached.until <= now || isExpired(cached.settled, now)) return undefined;
    return cached.settled;
  }

  /** The identity of a bare token. */
  async authenticateToken(token: string): Promise<Identity> {
    const now = this.#now();
    const key = hashToken(token);
    let cached = this.#cache.get(key);
    if (!cached || cached.until <= now) {
      if (this.#cache.size >= this.#maxCached) this.#cache.clear();
      cached = { until: now + this.#cacheMs, identity: this.#verify(token, key) };
      this.#cache.set(key, cached);
      const entry = cached;
      entry.identity.then(
        (identity) => void (entry.settled = identity),
        () => {
          if (this.#cache.get(key) === entry) this.#cache.delete(key);
        },
      );
    }
    const identity = await cached.identity;
    if (isExpired(identity, this.#now())) throw new Unauthenticated('credential expired');
    return identity;
  }

  /**
   * Whether an identity obtained earlier still holds: not expired and, for an API key, not
   * revoked (read from storage, bypassing the cache). For long-lived sockets.
   */
  async stillValid(identity: Identity): Promise<boolean> {
    if (isExpired(identity, this.#now())) return false;
    if (!identity.keyId) return true;
    const record = await this.#storage.getApiKey(identity.keyId);
    return record !== null && record.revokedAt === null;
  }

  #revoked(keyId: string): void {
    for (const [key, cached] of this.#cache) {
      cached.identity.then(
        (identity) => {
          if (identity.keyId === keyId && this.#cache.get(key) === cached) this.#cache.delete(key);
        },
        () => {},
      );
    }
    for (const listener of [...this.#revokedListeners]) {
      try {
        listener(keyId);
      } catch {
        // One faulty listener must not stop the others.
      }
    }
  }

  async #verify(token: string, hash: string): Promise<Identity> {
    if (looksLikeApiKey(token)) return this.#verifyApiKey(token);
    if (!this.#jwt.enabled) throw new Unauthenticated('unknown credential');
    const claims = await this.#jwt.verify(token);
    return {
      namespace: claims.namespace,
      scopes: expandScopes(claims.scopes),
      authenticated: true,
      expiresAt: claims.expiresAt,
      keyId: null,
      subject: `jwt:${hash.slice(0, 16)}`,
    };
  }

  async #verifyApiKey(token: string): Promise<Identity> {
    const id = apiKeyIdOf(token);
    if (!id) throw new Unauthenticated('malformed API key');
    const record = await this.#storage.getApiKey(id);
    // The hash is compared even for an unknown id, so both paths take the same time.
    const matches = tokenMatches(token, record?.hash ?? '0'.repeat(64));
    if (!record || !matches) throw new Unauthenticated('unknown API key');
    if (record.revokedAt !== null) throw new Unauthenticated('API key revoked');
    const expiresAt = record.expiresAt === null ? null : new Date(record.expiresAt);
    if (expiresAt && expiresAt.getTime() <= this.#now()) throw new Unauthenticated('API key expired');
    return {
      namespace: record.namespace,
      scopes: expandScopes(record.scopes),
      authenticated: true,
      expiresAt,
      keyId: record.id,
      subject: `key:${record.id}`,
    };
  }
}
