import { acceptsServedMediaType } from './request-media-type.js';

/** Yoga's result processors for a query or mutation, in the order it tries them; only the last is a plain GraphQL response. */
const PROCESSORS: readonly (readonly string[])[] = [['text/event-stream'], ['multipart/mixed'], ['application/graphql-response+json', 'application/json']];
const REGULAR = PROCESSORS[PROCESSORS.length - 1]!;

/** Answers by Accept header value; bounded, so a client varying the header cannot grow it. */
const known = new Map<string, string | null>();
const KNOWN_MAX = 64;

/**
 * The media type Yoga answers a query or mutation in for this `Accept` header, when that answer
 * is a plain GraphQL response (`application/graphql-response+json` or `application/json`); null
 * when Yoga would answer otherwise (an event stream, multipart, 406). It follows Yoga 5's
 * negotiation (graphql-yoga's use-result-processor: ranges in reverse order of appearance, only
 * UTF-8 charsets, q-values not weighed, the last match wins) and server/request-media-type.ts's
 * 406. It does NOT apply to subscriptions (Yoga offers them other processors).
 */
export function responseMediaTypeOf(accept: string | undefined): string | null {
  const key = accept ?? '';
  let answer = known.get(key);
  if (answer === undefined) {
    answer = negotiate(accept);
    if (known.size < KNOWN_MAX) known.set(key, answer);
  }
  return answer;
}

function negotiate(accept: string | undefined): string | null {
  if (accept?.trim() && !acceptsServedMediaType(accept)) return null;
  const requested: string[] = [];
  for (const range of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [mediaType, ...params] = range.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (mediaType !== undefined && charset === 'charset=utf-8') requested.push(mediaType);
  }
  requested.reverse();
  let chosen: { mediaType: string; regular: boolean } | null = null;
  for (const processor of PROCESSORS) {
    for (const range of requested) {
      for (const mediaType of processor) {
        if (matches(mediaType, range)) chosen = { mediaType, regular: processor === REGULAR };
      }
    }
  }
  return chosen?.regular ? chosen.mediaType : null;
}

/** Yoga's isMatchingMediaType: the range's type and subtype each equal or `*`. */
function matches(mediaType: string, range: string): boolean {
  const [type, subtype] = mediaType.split('/');
  const [rangeType, rangeSubtype] = range.split('/');
  return (rangeType === '*' || rangeType === type) && (rangeSubtype === '*' || rangeSubtype === subtype);
}
