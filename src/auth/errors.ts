import { GraphQLError } from 'graphql';

/**
 * A missing, malformed, unknown, expired or revoked credential. The `reason` is for logs and
 * for the caller; it never contains the token.
 */
export class Unauthenticated extends Error {
  override readonly name = 'Unauthenticated';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The challenge header every 401 carries. */
export const WWW_AUTHENTICATE = 'Bearer realm="cryo"';

/** The GraphQL error of an {@link Unauthenticated}: HTTP 401, `WWW-Authenticate: Bearer`, code UNAUTHENTICATED. */
export function unauthenticatedError(error: Unauthenticated): GraphQLError {
  return new GraphQLError(`unauthenticated: ${error.reason}`, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } } },
  });
}

/** The GraphQL error of a missing scope (on the field at fault; nothing was done). */
export function forbiddenError(field: string, scope: string | null): GraphQLError {
  return new GraphQLError(
    scope ? `forbidden: ${field} needs the ${scope} scope` : `forbidden: the credential may not use ${field}`,
    { extensions: { code: 'FORBIDDEN' } },
  );
}
