import { SCOPES, type Scope } from '../domain/api-key.js';
import { DEFAULT_NAMESPACE } from '../domain/types.js';

/**
 * Who is calling: the namespace every storage call of the request is scoped to, and the scopes
 * it was granted. Built by the authenticator from a credential, or {@link ANONYMOUS} when auth
 * is off. It never carries the token itself.
 */
export interface Identity {
  readonly namespace: string;
  /** Granted scopes, `admin` already expanded to include `read` and `write`. */
  readonly scopes: ReadonlySet<Scope>;
  /** False only when auth is off. */
  readonly authenticated: boolean;
  /** When the credential stops working (API key expiry or JWT `exp`); null: never. */
  readonly expiresAt: Date | null;
  /** The API key's id, or null (JWT, anonymous). Used to close sockets when it is revoked. */
  readonly keyId: string | null;
  /**
   * A stable, non-secret name of the credential for per-credential limits: `key:<id>`,
   * `jwt:<hash prefix>`, or null when auth is off (limits then go by client address).
   */
  readonly subject: string | null;
}

/** Auth off: namespace "default", every scope. */
export const ANONYMOUS: Identity = Object.freeze({
  namespace: DEFAULT_NAMESPACE,
  scopes: new Set<Scope>(SCOPES),
  authenticated: false,
  expiresAt: null,
  keyId: null,
  subject: null,
});

/** The granted scopes with `admin` implying `read` and `write`; unknown names are dropped. */
export function expandScopes(names: Iterable<string>): Set<Scope> {
  const scopes = new Set<Scope>();
  for (const name of names) if ((SCOPES as readonly string[]).includes(name)) scopes.add(name as Scope);
  if (scopes.has('admin')) {
    scopes.add('read');
    scopes.add('write');
  }
  return scopes;
}

/** True when the identity is past its expiry at `now`. */
export function isExpired(identity: Identity, now = Date.now()): boolean {
  return identity.expiresAt !== null && identity.expiresAt.getTime() <= now;
}
