import { isIP } from 'node:net';

/** `CRYO_AUTH`: `on`, `off`, or `auto` (unset: on unless the server listens on a loopback address). */
export type AuthMode = 'on' | 'off' | 'auto';

/** Access settings: credentials, and the fair-use caps per credential (per client address when auth is off). */
export interface AuthConfig {
  /** @default "auto" */
  mode: AuthMode;
  /** HS256 secret for JWTs. @default null */
  jwtSecret: string | null;
  /** JWKS file with public keys (RS/PS/ES/EdDSA). @default null */
  jwksFile: string | null;
  /** Required JWT `iss`. @default null */
  jwtIssuer: string | null;
  /** Required JWT `aud`. @default null */
  jwtAudience: string | null;
  /** How long a verified credential is trusted before storage is read again (revocations arrive sooner, by the change feed). @default 10000 */
  cacheMs: number;
  /** Concurrent WebSocket connections per credential, per instance. @default 64 */
  maxSocketsPerClient: number;
  /** Concurrent subscriptions (WebSocket and SSE) per credential, per instance. @default 1000 */
  maxSubscriptionsPerClient: number;
  /** Requests (HTTP operations and WebSocket subscribe messages) per second per credential, per instance; 0: no limit. @default 0 */
  requestsPerSecond: number;
}

/** The defaults of {@link AuthConfig}. */
export const DEFAULT_AUTH: Readonly<AuthConfig> = Object.freeze({
  mode: 'auto',
  jwtSecret: null,
  jwksFile: null,
  jwtIssuer: null,
  jwtAudience: null,
  cacheMs: 10_000,
  maxSocketsPerClient: 64,
  maxSubscriptionsPerClient: 1000,
  requestsPerSecond: 0,
});

/** The access settings: config key, environment variable, flag, and whether the value is a number. */
export const AUTH_SETTINGS: readonly { key: keyof AuthConfig; env: string; flag: string; integer: boolean; min?: number }[] = [
  { key: 'mode', env: 'CRYO_AUTH', flag: '--auth', integer: false },
  { key: 'jwtSecret', env: 'CRYO_JWT_SECRET', flag: '--jwt-secret', integer: false },
  { key: 'jwksFile', env: 'CRYO_JWKS_FILE', flag: '--jwks-file', integer: false },
  { key: 'jwtIssuer', env: 'CRYO_JWT_ISSUER', flag: '--jwt-issuer', integer: false },
  { key: 'jwtAudience', env: 'CRYO_JWT_AUDIENCE', flag: '--jwt-audience', integer: false },
  { key: 'cacheMs', env: 'CRYO_AUTH_CACHE_MS', flag: '--auth-cache-ms', integer: true, min: 0 },
  { key: 'maxSocketsPerClient', env: 'CRYO_MAX_SOCKETS_PER_CLIENT', flag: '--max-sockets-per-client', integer: true, min: 1 },
  { key: 'maxSubscriptionsPerClient', env: 'CRYO_MAX_SUBSCRIPTIONS_PER_CLIENT', flag: '--max-subscriptions-per-client', integer: true, min: 1 },
  { key: 'requestsPerSecond', env: 'CRYO_REQUESTS_PER_SECOND', flag: '--requests-per-second', integer: true, min: 0 },
];

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost". */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Whether credentials are required: `on`, `off`, or for `auto` whether `host` is not loopback. */
export function authRequired(auth: Pick<AuthConfig, 'mode'>, host: string): boolean {
  return auth.mode === 'on' || (auth.mode === 'auto' && !isLoopbackHost(host));
}

/** Checks the access settings; returns a message naming the bad one, or null. */
export function checkAuthConfig(auth: AuthConfig): string | null {
  if (!['on', 'off', 'auto'].includes(auth.mode)) return `CRYO_AUTH / --auth must be on, off or auto (got ${JSON.stringify(auth.mode)})`;
  for (const s of AUTH_SETTINGS) {
    const value = auth[s.key];
    if (s.integer && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (s.min ?? 0))) {
      return `${s.env} / ${s.flag} must be an integer ≥ ${s.min ?? 0} (got ${String(value)})`;
    }
  }
  if (auth.jwtSecret !== null && auth.jwtSecret.length < 32) {
    return 'CRYO_JWT_SECRET / --jwt-secret must be at least 32 characters (HS256 needs 256 bits of key)';
  }
  return null;
}
