import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { responseMediaType } from './graphql-error-response.js';

/** The request media types Yoga parses (with Cryo's settings), for the refusal message. */
const SUPPORTED = 'application/json, application/graphql, application/x-www-form-urlencoded or multipart/form-data';

/**
 * A Yoga plugin that refuses, before the body is parsed, a POST to the GraphQL endpoint that
 * Yoga would otherwise answer with a bare 415 (no body) or read in the wrong encoding:
 * - no `Content-Type` header;
 * - a media type no request parser takes (e.g. `text/plain`);
 * - a `charset` other than UTF-8 (the body would be decoded as UTF-8 all the same, so a Latin-1
 *   `é` would be stored as U+FFFD).
 * Each gets 415 with a GraphQL-shaped error, `extensions.code` UNSUPPORTED_MEDIA_TYPE, in the
 * media type the client accepts. A request (GET too) whose `Accept` header names no media type
 * Yoga serves gets 406 NOT_ACCEPTABLE before anything runs (Yoga would run the operation — a
 * mutation included — and only then find it had no way to answer). Parameters in a query string or a form body that Yoga cannot read
 * (`variables={`: Yoga's JSON.parse threw, and the request was answered 500) are refused with
 * 400 BAD_REQUEST. It does NOT check the bytes themselves (server/body-limit.ts
 * refuses a body that is not UTF-8) nor GET requests (they have no body).
 */
export function useRequestMediaType(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      const accept = request.headers.get('accept');
      if (accept?.trim() && !acceptsServedMediaType(accept)) {
        endResponse(refusal(fetchAPI, 406, 'NOT_ACCEPTABLE', `none of the media types in the Accept header is served here: accept one of ${SERVED.join(', ')}`, 'application/json'));
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
function acceptsServedMediaType(accept: string): boolean {
  return accept.split(',').some((range) => SERVED_RANGES.has(range.split(';')[0]!.trim().toLowerCase()));
}

type FetchAPI = Parameters<RequestParseHook>[0]['fetchAPI'];

function refusal(fetchAPI: FetchAPI, status: number, code: string, message: string, mediaType: string): Response {
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
  return (request) => {
    try {
      const parsed = parse(request);
      // Yoga's parsers may return a thenable that is not a Promise (@whatwg-node's fake promises).
      return isThenable(parsed) ? Promise.resolve(parsed).catch(refuse) : parsed;
    } catch (error) {
      return refuse(error);
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
