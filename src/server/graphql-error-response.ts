import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request refused before Yoga saw it: the HTTP status, `extensions.code` and a message for people. */
export interface RefusedRequest {
  status: number;
  code: string;
  message: string;
}

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/**
 * The media type of a GraphQL response for this `Accept` header:
 * `application/graphql-response+json` when the header lists it before `application/json` (or
 * lists it alone), `application/json` otherwise (also with no header, as Yoga does). It does NOT
 * weigh q-values: the order in the header decides.
 */
export function responseMediaType(accept: string | undefined): string {
  if (!accept) return 'application/json';
  const modern = accept.indexOf(GRAPHQL_RESPONSE_JSON);
  if (modern < 0) return 'application/json';
  const legacy = accept.search(/application\/json(?![\w+.-])/);
  return legacy < 0 || modern < legacy ? GRAPHQL_RESPONSE_JSON : 'application/json';
}

/**
 * Answers a request with a GraphQL-shaped error body (`{ errors: [{ message, extensions: { code,
 * http: { status } } }] }`) in the media type the client accepts, and `Connection: close` (the
 * rest of the request body, if any, is not worth reading). Does nothing when the response has
 * already started or the socket is gone. It does NOT read or drain the request body: the caller
 * decides what happens to it.
 */
export function sendGraphQLError(req: IncomingMessage, res: ServerResponse, refused: RefusedRequest): void {
  if (res.headersSent || res.destroyed || req.socket.destroyed) return;
  const { status, code, message } = refused;
  const payload = JSON.stringify({ errors: [{ message, extensions: { code, http: { status } } }] });
  res.writeHead(status, {
    'content-type': `${responseMediaType(req.headers.accept)}; charset=utf-8`,
    'content-length': Buffer.byteLength(payload),
    connection: 'close',
  });
  res.end(payload);
}
