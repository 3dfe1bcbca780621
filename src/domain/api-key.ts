/**
 * An API key as the storage keeps it: everything but the secret. `hash` is the hex SHA-256 of
 * the whole token (`cryo_<id>_<secret>`); the secret itself is shown once at creation and never
 * stored. Timestamps are ISO-8601 UTC strings.
 */
export interface ApiKeyRecord {
  /** Random, public (it is part of the token and of listings). */
  id: string;
  namespace: string;
  label: string | null;
  /** Granted scopes, e.g. ["read", "write"]. */
  scopes: string[];
  /** Hex SHA-256 of the token. */
  hash: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** The scopes a credential may carry (see the README's "Access" section). */
export const SCOPES = ['read', 'write', 'admin', 'metrics'] as const;
/** One of {@link SCOPES}. */
export type Scope = (typeof SCOPES)[number];

/** True when `value` names a known scope. */
export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
