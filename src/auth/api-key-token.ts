import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key tokens: `cryo_<id>_<secret>`, where `id` is 16 hex characters (public: listings show
 * it) and `secret` 43 base64url characters (256 random bits). The storage keeps only the SHA-256
 * of the whole token; a fast hash is enough because the secret is high-entropy (no passwords).
 */

const TOKEN = /^cryo_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A new random token and its id. */
export function newApiKeyToken(): { id: string; token: string } {
  const id = randomBytes(8).toString('hex');
  return { id, token: `cryo_${id}_${randomBytes(32).toString('base64url')}` };
}

/** The id inside a well-formed API key token, or null when the string is not one. */
export function apiKeyIdOf(token: string): string | null {
  return TOKEN.exec(token)?.[1] ?? null;
}

/** True when the string looks like an API key (as opposed to a JWT). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('cryo_');
}

/** Hex SHA-256 of a token, as stored. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** Compares a token with a stored hash in constant time. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
