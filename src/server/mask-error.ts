import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import type { Logger } from 'pino';
import { CryoError, StorageCorrupted, StorageUnavailable, SubscriberTooSlow, ValidationError } from '../domain/errors.js';

/**
 * `extensions.code` values Cryo itself puts on GraphQL errors (besides graphql-js's and Yoga's
 * own for syntax, validation and variable errors; BAD_REQUEST is Yoga's code for a malformed
 * request, which Cryo uses too). Documented in the README's error table.
 */
export const GRAPHQL_ERROR_CODES = [
  'BAD_USER_INPUT',
  'STORAGE_UNAVAILABLE',
  'STORAGE_CORRUPTED',
  'INTERNAL_SERVER_ERROR',
  'PAYLOAD_TOO_LARGE',
  'FORBIDDEN_ORIGIN',
  'BAD_REQUEST',
  'UNSUPPORTED_MEDIA_TYPE',
  'REQUEST_TIMEOUT',
  'NOT_ACCEPTABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'TOO_MANY_SUBSCRIPTIONS',
  'TOO_MANY_REQUESTS',
] as const;

/**
 * Yoga's `maskedErrors.maskError` for Cryo. Errors a resolver throws outside a result union
 * become GraphQL errors with `extensions.code`:
 * - ValidationError (e.g. a page size or cursor on a query) → `BAD_USER_INPUT`, with its message
 *   and `extensions.field`, logged at debug (a client mistake);
 * - StorageUnavailable → `STORAGE_UNAVAILABLE` (safe to retry), logged as a warning;
 * - StorageCorrupted → `STORAGE_CORRUPTED` with a fixed message (the location is logged as an
 *   error, never sent);
 * - SubscriberTooSlow → `SUBSCRIBER_TOO_SLOW`, logged at info (a slow client, not a fault);
 * - any other CryoError → its own code and message (they are written for callers), logged at debug;
 * - anything else → Yoga's "Unexpected error." (`INTERNAL_SERVER_ERROR`), logged as an error with
 *   its stack; outside production the original message is attached under `extensions.originalError`.
 * Only the last (a bug) and corruption are logged at error level.
 * GraphQL errors from parsing and validation pass unchanged (Yoga gave them their code); variable
 * coercion errors (a wrong variable type, a missing required variable), which graphql-js leaves
 * without a code, get `BAD_USER_INPUT`. In production a "Did you mean …?" hint (graphql-js names
 * fields in variable errors) is hidden as armor hides it in validation errors.
 */
export function createMaskError(options: { production: boolean; logger: Logger }) {
  const { production, logger } = options;
  return (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (!(original instanceof CryoError)) {
      if (error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError)) {
        if (production) error.message = error.message.replace(/Did you mean ".+"\?/g, '[Suggestion hidden]');
        return isVariableError(error) ? withCode(error, 'BAD_USER_INPUT') : error;
      }
      logger.error({ err: original, path: error instanceof GraphQLError ? error.path : undefined }, 'unexpected error');
      return yogaMaskError(error, message, !production);
    }
    const base = error instanceof GraphQLError ? error : undefined;
    const build = (text: string, extensions: Record<string, unknown>) =>
      new GraphQLError(text, { nodes: base?.nodes, path: base?.path, originalError: original, extensions });
    if (original instanceof ValidationError) {
      // Without originalError: Yoga counts an error that has one as unexpected, and answers 500
      // when there is no data (a subscription refused before its first event).
      logger.debug({ code: 'BAD_USER_INPUT', field: original.field, reason: original.reason }, 'client error: invalid argument');
      const extensions = { code: 'BAD_USER_INPUT', field: original.field };
      return new GraphQLError(original.message, { nodes: base?.nodes, path: base?.path, extensions });
    }
    if (original instanceof StorageUnavailable) {
      logger.warn({ err: original }, 'storage unavailable');
      return build(production ? 'storage unavailable: retry later' : original.message, { code: original.code });
    }
    if (original instanceof StorageCorrupted) {
      logger.error({ err: original }, 'storage corrupted');
      return build('stored data failed an integrity check; the operator has been told', { code: original.code });
    }
    if (original instanceof SubscriberTooSlow) logger.info({ code: original.code, limit: original.limit }, 'subscriber too slow: stream ended');
    else logger.debug({ code: original.code }, 'domain error outside a result union');
    return build(original.message, { code: original.code });
  };
}

/** graphql-js's variable coercion errors: `Variable "$x" got invalid value …`, `… was not provided.` */
function isVariableError(error: GraphQLError): boolean {
  return error.extensions['code'] === undefined && error.path === undefined && error.message.startsWith('Variable "$');
}

/** The same error with `extensions.code` set (GraphQLError's extensions cannot be changed in place). */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}
