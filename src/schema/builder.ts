import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import type { JsonObject, JsonValue } from '../domain/json.js';
import type { CryoContext } from './context.js';

/** The first scope a failed check was missing (for FORBIDDEN messages). */
function missingScope(failure: AuthFailure): string | null {
  if (failure.kind === AuthScopeFailureType.AuthScope) return failure.scope;
  if (failure.kind === AuthScopeFailureType.AllAuthScopes || failure.kind === AuthScopeFailureType.AnyAuthScopes) {
    for (const child of failure.failures) {
      const scope = missingScope(child);
      if (scope) return scope;
    }
  }
  return null;
}

/**
 * The one Pothos builder of the Cryo schema. Fields are non-null unless they say otherwise;
 * unions of typed errors come from the errors plugin (no default error types: anything not
 * listed on a field stays a GraphQL error and is masked). Relay supplies PageInfo and the
 * connection/edge object types; its `node`/`nodes` root fields are disabled. Scope auth: every
 * root field needs its root type's scope (Query and Subscription: read, Mutation: write) unless
 * it declares others; a field refused answers FORBIDDEN and runs nothing.
 */
export const builder = new SchemaBuilder<{
  Context: CryoContext;
  AuthScopes: { read: boolean; write: boolean; admin: boolean };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    JSON: { Input: JsonValue; Output: unknown };
    JSONObject: { Input: JsonObject; Output: JsonObject };
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string };
  };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin],
  scopeAuth: {
    // Subscriptions are checked once, when they start (not per event).
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      read: ctx.identity.scopes.has('read'),
      write: ctx.identity.scopes.has('write'),
      admin: ctx.identity.scopes.has('admin'),
    }),
    unauthorizedError: (_parent, _ctx, info, result) =>
      new GraphQLError(`forbidden: ${info.fieldName} needs the ${missingScope(result.failure) ?? 'required'} scope`, {
        extensions: { code: 'FORBIDDEN' },
      }),
  },
  defaultFieldNullability: false,
  errors: { defaultTypes: [], directResult: true },
  relay: {
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    cursorType: 'String',
    edgesFieldOptions: { nullable: false, description: 'The items of this page, in order, each with its cursor.' },
    nodeFieldOptions: { nullable: false, description: 'The item.' },
    cursorFieldOptions: { description: 'Opaque cursor of this item: pass it as `after` or `before`.' },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    pageInfoTypeOptions: { description: 'Relay page information: whether more items exist on either side, and the cursors of the first and last item of the page.' },
    hasNextPageFieldOptions: { description: 'True when items follow the last one of this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede the first one of this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page; null when the page is empty.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of the page; null when the page is empty.' },
  },
});

builder.queryType({
  description: 'Reads (scope read; apiKeys: admin). Every key is scoped to the caller\'s namespace.',
  authScopes: { read: true },
});
builder.mutationType({
  description:
    'Writes (scope write; thaw: read; API keys: admin). Domain failures come back as typed members of each result union; nothing is written when one is returned.',
  authScopes: { write: true },
});
