import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import './entry.js';
import './thread.js';
import './retention.js';
import './checkpoint.js';
import './persist.js';
import './server-info.js';
import './identity.js';
import './subscriptions.js';

/** The Cryo GraphQL schema, built once at import (Pothos builders cannot be rebuilt). */
export const schema: GraphQLSchema = builder.toSchema();

/** The schema as committed in schema.graphql: printed, types and fields sorted. */
export function printCryoSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
