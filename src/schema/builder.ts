import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import type { JsonObject, JsonValue } from '../domain/json.js';
import type { CryoContext } from './context.js';

/**
 * The one Pothos builder of the Cryo schema. Fields are non-null unless they say otherwise;
 * unions of typed errors come from the errors plugin (no default error types: anything not
 * listed on a field stays a GraphQL error and is masked). Relay supplies PageInfo and the
 * connection/edge object types; its `node`/`nodes` root fields are disabled.
 */
export const builder = new SchemaBuilder<{
  Context: CryoContext;
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
  plugins: [ErrorsPlugin, RelayPlugin],
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

builder.queryType({ description: 'Reads. Every key is scoped to the caller\'s namespace.' });
builder.mutationType({
  description: 'Writes. Domain failures come back as typed members of each result union; nothing is written when one is returned.',
});
