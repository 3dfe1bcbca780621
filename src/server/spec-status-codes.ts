import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { notAcceptable } from './request-media-type.js';

interface HttpExtension {
  status?: number;
  spec?: boolean;
}

/**
 * A Yoga plugin that sets the HTTP status of refused requests as the GraphQL-over-HTTP spec asks,
 * for both response media types. Yoga marks an error whose status applies only to
 * `application/graphql-response+json` clients with `extensions.http.spec` (`application/json`
 * clients then get 200); this plugin corrects the marks Yoga 5 gets wrong:
 * - a request that is not a well-formed GraphQL-over-HTTP request (`code` BAD_REQUEST: missing
 *   `query`, a body that is not a JSON object, …) → 400 for both media types;
 * - the operation cannot be determined (OPERATION_RESOLUTION_FAILURE), or the variables do not
 *   coerce (graphql-js errors with status 400, coded BAD_USER_INPUT by server/mask-error.ts) → 400 for
 *   `application/graphql-response+json`, 200 with `errors` for `application/json`.
 * Parse and validation errors already follow that second rule, and field errors are always 200.
 * It also refuses an `operationName` that is not a string (Yoga lets it through, and then cannot
 * determine the operation) as BAD_REQUEST: such a request is not well-formed; and gives a 406
 * that gets past server/request-media-type.ts (Yoga found no result processor for the Accept
 * header) its GraphQL error body.
 * It does NOT change statuses other than 400 (405 for a mutation over GET, 413, 415 stay) nor
 * add codes.
 */
export function useSpecStatusCodes(): Plugin {
  return {
    onParams({ params }) {
      const name: unknown = params.operationName;
      if (name == null || typeof name === 'string') return;
      const given = Array.isArray(name) ? 'array' : typeof name;
      throw createGraphQLError(`Expected "operationName" param to be a string, but given ${given}.`, {
        extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
      });
    },
    onResultProcess({ result, resultProcessor, setResultProcessor }) {
      if (!resultProcessor) {
        setResultProcessor((_result, fetchAPI) => notAcceptable(fetchAPI), 'application/json');
        return;
      }
      if (Array.isArray(result) || isAsyncIterable(result)) return;
      correctSpecStatuses(result);
    },
  };
}

/**
 * Corrects, in place, the `extensions.http` marks of a single result's errors as described on
 * {@link useSpecStatusCodes}; for a result produced outside Yoga's pipeline (server/fast-lane.ts)
 * before Yoga's result processor turns it into a response.
 */
export function correctSpecStatuses(result: ExecutionResult): void {
  if (!result.errors) return;
  for (const error of result.errors) {
    const extensions = error.extensions as Record<string, unknown> | undefined;
    const http = extensions?.['http'] as HttpExtension | undefined;
    if (!http || http.status !== 400) continue;
    const code = extensions!['code'];
    if (code === 'BAD_REQUEST') delete http.spec;
    else if (code === 'OPERATION_RESOLUTION_FAILURE' || code === 'BAD_USER_INPUT' || code === undefined) http.spec = true;
  }
}
