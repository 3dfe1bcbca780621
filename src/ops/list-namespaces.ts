import { ValidationError } from '../domain/errors.js';
import type { Storage } from '../storage/types.js';

/**
 * The namespaces to work on: `only` when given (non-empty), else every namespace the storage can
 * list (adapters with `namespaces()`: every built-in one; Redis SCANs for them), sorted. Throws ValidationError (field
 * "namespace") for an adapter that cannot list them: the caller must name one, never a silently
 * partial backup.
 */
export async function listNamespaces(storage: Storage, only: readonly string[] | null): Promise<string[]> {
  if (only !== null && only.length > 0) return [...new Set(only)].sort();
  const lister = (storage as Storage & { namespaces?: () => Promise<string[]> }).namespaces;
  if (typeof lister !== 'function') {
    throw new ValidationError(`the ${storage.kind} adapter cannot list its namespaces: pass --namespace N`, 'namespace');
  }
  return (await lister.call(storage)).sort();
}
