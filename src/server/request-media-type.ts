import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { responseMediaType } from './graphql-error-response.js';

/** The request media types Yoga parses (with Cryo's settings), for the refusal message. */
const SUPPORTED = 'application/json, application/graphql, application/x-www-form-urlencoded or multipart/form-data';

/**
 * A Yoga plugin that answers, before anything runs, requests Yoga would answer badly:
 * - an `Accept` header naming no media type Yoga serves → 406 NOT_ACCEPTABLE (Yoga ran the
 *   operation, a mutation included, and only then found it had no way to answer: a bare 406);
 * - a POST without a `Content-Type`, or with one no request parser takes (e.g. `text/plain`) →
 *   415 UNSUPPORTED_MEDIA_TYPE (Yoga: a bare 415);
 * - a POST declaring a `charset` other than UTF-8 → 415 (Yoga decoded it as UTF-8 all the same,
 *   so a Latin-1 `é` would have been stored as U+FFFD);
 * - parameters in a query string or form body that cannot be read (`variables={`), or that are
 *   not an object (multipart `operations` of `null`) → 400 BAD_REQUEST (Yoga threw: a 500).
 * Each is a GraphQL-shaped error, in the media type the client accepts. It does NOT check the
 * body's bytes (server/body-limit.ts refuses a body that is not UTF-8).
 */
export function useRequestMediaType(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      const accept = request.headers.get('accept');
      if (accept?.trim() && !acceptsServedMediaType(accept)) {
        endResponse(notAcceptable(fetchAPI));
        return;
      }
      const jsonBody = request.method === 'POST' && /json/i.test(request.headers.get('content-type') ?? '');
      if (requestParser && !jsonBody) setRequestParser(readableOrBadRequest(requestParser));
      if (request.method !== 'POST') return;
      const contentType = request.headers.get('content-type');
      const problem = !contentType?.trim()
        ? `a POST needs a Content-Type header: send the request as ${SUPPORTED}`
        : !requestParser
          ? `Content-Type "${contentType}" is not supported: send the request as ${SUPPORTED}`
          : foreignCharset(contentType);
      if (!problem) return;
      endResponse(refusal(fetchAPI, 415, 'UNSUPPORTED_MEDIA_TYPE', problem, responseMediaType(accept ?? undefined)));
    },
  };
}

/** The response media types Yoga serves: GraphQL responses, then subscription streams. */
const SERVED = ['application/graphql-response+json', 'application/json', 'text/event-stream', 'multipart/mixed'];
const SERVED_RANGES = new Set(['*/*', 'application/*', 'text/*', 'multipart/*', ...SERVED]);

/** Whether one of the media ranges of an Accept header covers a media type Yoga serves (q-values are not weighed). */
export function acceptsServedMediaType(accept: string): boolean {
  return accept.split(',').some((range) => SERVED_RANGES.has(range.split(';')[0]!.trim().toLowerCase()));
}

type FetchAPI = Parameters<RequestParseHook>[0]['fetchAPI'];

/** 406 NOT_ACCEPTABLE with a GraphQL error (in application/json) naming the media types served. */
export function notAcceptable(fetchAPI: Pick<FetchAPI, 'Response'>): Response {
  const message = `none of the media types in the Accept header is served here: accept one of ${SERVED.join(', ')}`;
  return refusal(fetchAPI, 406, 'NOT_ACCEPTABLE', message, 'application/json');
}

function refusal(fetchAPI: Pick<FetchAPI, 'Response'>, status: number, code: string, message: string, mediaType: string): Response {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, http: { status } } }] });
  const headers: Record<string, string> = { 'content-type': `${mediaType}; charset=utf-8` };
  if (status === 406) headers['accept'] = SERVED.join(', ');
  return new fetchAPI.Response(body, { status, headers });
}

/** A message naming the charset when `contentType` declares one other than UTF-8; null otherwise. */
export function foreignCharset(contentType: string): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  if (!match) return null;
  const charset = match[1]!.toLowerCase();
  if (charset === 'utf-8' || charset === 'utf8') return null;
  return `charset "${match[1]}" is not supported: send the body in UTF-8 (charset=utf-8, or no charset)`;
}

type RequestParseHook = NonNullable<Plugin['onRequestParse']>;
type RequestParser = NonNullable<Parameters<RequestParseHook>[0]['requestParser']>;

/**
 * `parse`, with any error that is not already a GraphQL error (a SyntaxError from JSON.parse of a
 * `variables` or `extensions` parameter) turned into 400 BAD_REQUEST. Yoga's JSON body parser
 * already does this itself, so it is not wrapped (it is on the hot path).
 */
function readableOrBadRequest(parse: RequestParser): RequestParser {
  const refuse = (error: unknown): never => {
    if (error instanceof GraphQLError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw createGraphQLError(`the request's parameters could not be read: ${reason}`, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
  };
  // A parameters value that is not an object (multipart `operations` = `null`, found by the fuzz
  // test) made Yoga throw a TypeError later: a 500.
  const checked = <T,>(params: T): T => {
    if (typeof params !== 'object' || params === null) {
      throw createGraphQLError("the request's parameters must be a JSON object", { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
    }
    return params;
  };
  return (request) => {
    try {
      const parsed = parse(request);
      // Yoga's parsers may return a thenable that is not a Promise (@whatwg-node's fake promises).
      return isThenable(parsed) ? Promise.resolve(parsed).then(checked).catch(refuse) : checked(parsed);
    } catch (error) {
      return refuse(error);
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
