import { readFileSync } from 'node:fs';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { Unauthenticated } from './errors.js';

/** How JWTs are checked (all optional; no secret and no key file: JWTs are refused). */
export interface JwtSettings {
  /** HS256 shared secret (CRYO_JWT_SECRET). */
  secret?: string | null;
  /** Path of a JWKS file with public keys for RS/PS/ES/EdDSA (CRYO_JWKS_FILE). */
  jwksFile?: string | null;
  /** Required `iss` (CRYO_JWT_ISSUER). */
  issuer?: string | null;
  /** Required `aud` (CRYO_JWT_AUDIENCE). */
  audience?: string | null;
}

/** What a verified JWT grants. */
export interface JwtClaims {
  namespace: string;
  scopes: string[];
  expiresAt: Date | null;
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/**
 * Verifies JWTs with `jose`: the signature (HS256 with the shared secret only; asymmetric
 * algorithms with the JWKS file's keys only, so a public key can never be used as an HMAC
 * secret), `exp` and `nbf` (5 s clock tolerance), and `iss`/`aud` when configured. `alg: none`
 * and any algorithm not listed are refused. Claims: `ns` (the namespace, a non-empty string,
 * required) and `scope` (space-separated). Does NOT fetch remote key sets; the key file is read
 * once, at construction.
 */
export class JwtVerifier {
  readonly #secret: Uint8Array | null;
  readonly #jwks: ReturnType<typeof createLocalJWKSet> | null;
  readonly #settings: JwtSettings;

  constructor(settings: JwtSettings) {
    this.#settings = settings;
    this.#secret = settings.secret ? new TextEncoder().encode(settings.secret) : null;
    this.#jwks = settings.jwksFile ? createLocalJWKSet(JSON.parse(readFileSync(settings.jwksFile, 'utf8')) as JSONWebKeySet) : null;
  }

  /** True when JWTs can be verified at all. */
  get enabled(): boolean {
    return this.#secret !== null || this.#jwks !== null;
  }

  /** Verifies a compact JWT; throws Unauthenticated (never with the token in the message). */
  async verify(token: string): Promise<JwtClaims> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new Unauthenticated('malformed token');
    }
    const options = {
      issuer: this.#settings.issuer ?? undefined,
      audience: this.#settings.audience ?? undefined,
      clockTolerance: 5,
    };
    let payload: JWTPayload;
    try {
      if (alg === 'HS256' && this.#secret) {
        payload = (await jwtVerify(token, this.#secret, { ...options, algorithms: ['HS256'] })).payload;
      } else if (typeof alg === 'string' && ASYMMETRIC.includes(alg) && this.#jwks) {
        payload = (await jwtVerify(token, this.#jwks, { ...options, algorithms: ASYMMETRIC })).payload;
      } else {
        throw new Unauthenticated(`JWT algorithm ${typeof alg === 'string' ? JSON.stringify(alg.slice(0, 20)) : '(none)'} is not accepted`);
      }
    } catch (error) {
      if (error instanceof Unauthenticated) throw error;
      throw new Unauthenticated(describe(error));
    }
    const ns = payload['ns'];
    if (typeof ns !== 'string' || ns.length === 0 || ns.length > 256) throw new Unauthenticated('JWT has no valid ns claim');
    const scope = payload['scope'];
    if (scope !== undefined && typeof scope !== 'string') throw new Unauthenticated('JWT scope claim must be a string');
    return {
      namespace: ns,
      scopes: (scope ?? '').split(' ').filter(Boolean),
      expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
    };
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'JWT expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `JWT claim ${error.claim} check failed`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'JWT signature invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'JWT signed by an unknown key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'JWT algorithm not accepted';
  return 'malformed token';
}
