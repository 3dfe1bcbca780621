/** One GraphQL error as it arrives over the wire (HTTP JSON or a graphql-ws `error` message). */
export interface WireGraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/**
 * A transport or infrastructure failure seen by the typed client: a network error, a non-GraphQL
 * response, or GraphQL errors (`code` is the first error's `extensions.code`, e.g.
 * `STORAGE_UNAVAILABLE`, `BAD_USER_INPUT`, `GRAPHQL_VALIDATION_FAILED`). Domain failures
 * (RevisionConflict, MissingThread, …) are NOT errors: they come back as typed union members.
 */
export class CryoClientError extends Error {
  override readonly name = 'CryoClientError';
  /** `extensions.code` of the first GraphQL error, or NETWORK_ERROR / BAD_RESPONSE / CONNECTION_CLOSED / GRAPHQL_ERROR. */
  readonly code: string;
  /** The GraphQL errors, when the server sent any. */
  readonly errors: readonly WireGraphQLError[];
  /** The HTTP status, for HTTP requests that got a response. */
  readonly status: number | undefined;

  constructor(message: string, options: { code: string; errors?: readonly WireGraphQLError[]; status?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.errors = options.errors ?? [];
    this.status = options.status;
  }

  /** Builds the error for a non-empty list of GraphQL errors. */
  static fromGraphQLErrors(errors: readonly WireGraphQLError[], status?: number): CryoClientError {
    const first = errors[0];
    const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'GRAPHQL_ERROR';
    const message = errors.map((e) => e.message).join('; ') || 'GraphQL error';
    return new CryoClientError(message, { code, errors, ...(status === undefined ? {} : { status }) });
  }
}

/** Whether a value is shaped like a WebSocket CloseEvent (browser, `ws`, or graphql-ws's own). */
export function isCloseEventLike(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number' && 'reason' in value;
}

/** Whether a value is a list of GraphQL errors (what graphql-ws passes to `sink.error` for operation errors). */
export function isGraphQLErrorList(value: unknown): value is WireGraphQLError[] {
  return Array.isArray(value) && value.every((e) => typeof e === 'object' && e !== null && typeof e.message === 'string');
}

/** Converts whatever a subscription sink received as an error into a CryoClientError. */
export function toClientError(value: unknown): CryoClientError {
  if (value instanceof CryoClientError) return value;
  if (isGraphQLErrorList(value)) return CryoClientError.fromGraphQLErrors(value);
  if (isCloseEventLike(value)) {
    return new CryoClientError(`WebSocket closed (${value.code}${value.reason ? `: ${value.reason}` : ''})`, {
      code: 'CONNECTION_CLOSED',
      cause: value,
    });
  }
  const message = value instanceof Error ? value.message : 'WebSocket error';
  return new CryoClientError(message, { code: 'NETWORK_ERROR', cause: value });
}
