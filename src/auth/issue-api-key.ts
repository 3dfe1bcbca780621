import type { ApiKeyRecord } from '../domain/api-key.js';
import { isScope } from '../domain/api-key.js';
import { ValidationError } from '../domain/errors.js';
import type { Storage } from '../storage/types.js';
import { hashToken, newApiKeyToken } from './api-key-token.js';

/** What a new API key is for. */
export interface IssueApiKeyInput {
  namespace: string;
  label?: string | null;
  scopes: readonly string[];
  /** Lifetime; null/undefined: until revoked. */
  expiresInSeconds?: number | null;
}

/** Longest lifetime a key may be given (10 years). */
const MAX_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

/**
 * Creates an API key: a random token, of which only the SHA-256 is stored. Returns the record
 * and the secret token, which nobody can see again. ValidationError (nothing stored) for an
 * unknown or missing scope, a bad lifetime or label. Used by the createApiKey mutation and
 * by `cryo keys create`.
 */
export async function issueApiKey(storage: Storage, input: IssueApiKeyInput, now = new Date()): Promise<{ record: ApiKeyRecord; secret: string }> {
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw new ValidationError('give at least one scope (read, write, admin, metrics)', 'scopes');
  const unknown = scopes.find((s) => !isScope(s));
  if (unknown !== undefined) throw new ValidationError(`unknown scope ${JSON.stringify(unknown.slice(0, 40))} (known: read, write, admin, metrics)`, 'scopes');
  const lifetime = input.expiresInSeconds;
  if (lifetime != null && (!Number.isSafeInteger(lifetime) || lifetime < 1 || lifetime > MAX_LIFETIME_SECONDS)) {
    throw new ValidationError(`must be an integer between 1 and ${MAX_LIFETIME_SECONDS}`, 'expiresInSeconds');
  }
  const { id, token } = newApiKeyToken();
  const record: ApiKeyRecord = {
    id,
    namespace: input.namespace,
    label: input.label ?? null,
    scopes,
    hash: hashToken(token),
    createdAt: now.toISOString(),
    expiresAt: lifetime == null ? null : new Date(now.getTime() + lifetime * 1000).toISOString(),
    revokedAt: null,
  };
  await storage.createApiKey(record);
  return { record, secret: token };
}
