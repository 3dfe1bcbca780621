import type { Plugin } from 'graphql-yoga';
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
 * media type the client accepts. It does NOT check the bytes themselves (server/body-limit.ts
 * refuses a body that is not UTF-8) nor GET requests (they have no body).
 */
export function useRequestMediaType(): Plugin {
  return {
    onRequestParse({ request, requestParser, endResponse, fetchAPI }) {
      if (request.method !== 'POST') return;
      const contentType = request.headers.get('content-type');
      const problem = !contentType?.trim()
        ? `a POST needs a Content-Type header: send the request as ${SUPPORTED}`
        : !requestParser
          ? `Content-Type "${contentType}" is not supported: send the request as ${SUPPORTED}`
          : foreignCharset(contentType);
      if (!problem) return;
      const status = 415;
      const body = JSON.stringify({ errors: [{ message: problem, extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', http: { status } } }] });
      const mediaType = responseMediaType(request.headers.get('accept') ?? undefined);
      endResponse(new fetchAPI.Response(body, { status, headers: { 'content-type': `${mediaType}; charset=utf-8` } }));
    },
  };
}

/** A message naming the charset when `contentType` declares one other than UTF-8; null otherwise. */
export function foreignCharset(contentType: string): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  if (!match) return null;
  const charset = match[1]!.toLowerCase();
  if (charset === 'utf-8' || charset === 'utf8') return null;
  return `charset "${match[1]}" is not supported: send the body in UTF-8 (charset=utf-8, or no charset)`;
}
