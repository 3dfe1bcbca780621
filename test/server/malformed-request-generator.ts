import { rawPost } from './raw-http.js';

/** One generated request: raw bytes for the socket, how the client ends, and a label for reports. */
export interface GeneratedRequest {
  label: string;
  bytes: Buffer;
  /**
   * 'half-close' after writing a body shorter than declared ("cut short"); 'keep-open' otherwise
   * (Node's server drops in-flight responses on a half-closed socket: it does not allow half-open).
   */
  ending: 'half-close' | 'keep-open';
  /** Whether the answer must be a GraphQL-shaped JSON error when it is a 4xx. */
  graphqlEndpoint: boolean;
  method: string;
}

/**
 * Only documents that read, or mutations whose inputs always fail: the fuzz writes nothing. The
 * generated documents come from a bounded set (a few hundred), so Yoga's parse and validation
 * cache (an LRU of 1000 documents) fills during a warm-up instead of growing through the run.
 */
const DOCUMENTS = [
  '{ __typename }',
  'query($id: ID!) { thread(id: $id) { rev } }',
  'query($first: Int, $after: String) { threads(first: $first, after: $after) { edges { node { id } } } }',
  'mutation($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename ... on Error { message } } }',
  'mutation($id: ID!) { deleteThread(id: $id) { deleted } }',
  'query A { __typename } query B { __typename }',
  '{ nope }',
  '{ thread(id: ) }',
  'subscription { __typename }',
  '',
];

const CONTENT_TYPES = [
  null,
  'application/json',
  'APPLICATION/JSON',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json;charset="UTF-16"',
  'application/graphql',
  'application/graphql+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'text/plain',
  'application/octet-stream',
  '',
  ';;;',
];
const ACCEPTS = [null, 'application/json', 'application/graphql-response+json', '*/*', 'text/html', 'application/graphql-response+json, application/json', 'garbage/;q=x', ''];
const METHODS = ['POST', 'POST', 'POST', 'POST', 'GET', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const PATHS = ['/graphql', '/graphql', '/graphql', '/graphql/', '/graphql?', '/GRAPHQL', '/nope', '/health', '/graphql#frag'];

/** A generator of malformed (and some well-formed) HTTP requests, deterministic for a given `random`. */
export function createRequestGenerator(random: () => number, options: { maxRequestBytes: number }) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number) => random() < p;

  const hugeString = () => 'x'.repeat(pick([1000, 60_000, options.maxRequestBytes + 10]));
  const deepJson = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const deepQuery = (depth: number) => `{ ${'thread(id: "a") { '.repeat(depth)}rev${' }'.repeat(depth)} }`;
  const wrongValue = (): unknown => pick([null, 0, -1, 1e308, true, 'str', [], [1, 'a'], {}, { a: { b: [] } }, '\u0000', '\ud800']);

  const variables = (): unknown => {
    switch (int(7)) {
      case 0: return { id: wrongValue(), first: wrongValue(), input: wrongValue() };
      case 1: return { input: { threadId: pick(['', 'a', hugeString()]), expectedRev: 987654, entries: [{ payload: wrongValue() }] } };
      case 2: return { input: { threadId: 't', expectedRev: 987654, entries: JSON.parse(deepJson(int(200) + 1)) } };
      case 3: return { first: pick([0, -5, 1e9, 2.5]), after: pick(['', 'not-a-cursor', hugeString()]) };
      case 4: return wrongValue();
      case 5: return { id: hugeString() };
      default: return undefined;
    }
  };

  const jsonBody = (): string => {
    switch (int(12)) {
      case 0: return JSON.stringify({ query: pick(DOCUMENTS), variables: variables() });
      case 1: return JSON.stringify({ query: wrongValue(), variables: wrongValue(), operationName: wrongValue(), extensions: wrongValue() });
      case 2: { // truncated JSON
        const whole = JSON.stringify({ query: pick(DOCUMENTS), variables: variables() });
        return whole.slice(0, int(whole.length));
      }
      case 3: return `{"query":${JSON.stringify(pick(DOCUMENTS))},"query":${JSON.stringify(pick(DOCUMENTS))},"variables":{"id":"a","id":7}}`;
      case 4: return JSON.stringify({ query: deepQuery(pick([1, 5, 20, 60])) });
      case 5: return `{"query":"{ __typename }","variables":${deepJson(int(20_000) + 1)}}`;
      case 6: return JSON.stringify({ query: `{ thread(id: "${hugeString()}") { rev } }` });
      case 7: return pick(['null', '[]', '[{"query":"{ __typename }"}]', '"str"', '7', 'true', '{}', '{"qeury":"{ __typename }"}', 'NONSENSE', '{"query":"{ __typename }"}']);
      case 8: return JSON.stringify({ query: `{ ${'__typename '.repeat(pick([10, 500, 1999, 2500]))}}` });
      case 9: return JSON.stringify({ query: pick(DOCUMENTS), operationName: pick(['A', 'B', 'C', '']) });
      case 10: return `{"query":"{ __typename }","variables":{${Array.from({ length: int(2000) }, (_, i) => `"v${i}":${i}`).join(',')}}}`;
      default: return JSON.stringify({ query: pick(DOCUMENTS), variables: variables() }) + pick(['', ' ', 'garbage', '}', '\u0000']);
    }
  };

  const binary = (): Buffer => Buffer.from(Array.from({ length: int(2000) }, () => int(256)));

  const body = (contentType: string | null): Buffer => {
    if (chance(0.12)) return binary();
    if (chance(0.05)) return Buffer.alloc(0);
    if (contentType?.startsWith('multipart') && chance(0.6)) {
      return Buffer.from(`--xyz\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${jsonBody()}\r\n${chance(0.5) ? '--xyz--\r\n' : ''}`);
    }
    if (contentType === 'application/x-www-form-urlencoded' && chance(0.6)) return Buffer.from(`query=${encodeURIComponent(pick(DOCUMENTS))}&variables=${pick(['%7B', '{}', '%zz', ''])}`);
    if (contentType === 'application/graphql' && chance(0.6)) return Buffer.from(pick(DOCUMENTS));
    return Buffer.from(jsonBody(), 'utf8');
  };

  const queryString = (): string => {
    const params = [
      `query=${encodeURIComponent(pick(DOCUMENTS))}`,
      `query=${encodeURIComponent(pick(DOCUMENTS))}&query=${encodeURIComponent(pick(DOCUMENTS))}`,
      `variables=${encodeURIComponent(pick(['{', '[]', '7', '{"id":"a"}', deepJson(500)]))}`,
      `operationName=${pick(['A', '', '%00', '%zz'])}`,
      pick(['%', '%zz', '&&&', '=', 'query', 'query=%00', `query=${'%7B'.repeat(int(3000))}`, `extensions=${encodeURIComponent('{"persistedQuery":1}')}`]),
    ];
    return Array.from({ length: int(3) + 1 }, () => pick(params)).join('&');
  };

  return (index: number): GeneratedRequest => {
    const method = pick(METHODS);
    const path = pick(PATHS);
    const contentType = pick(CONTENT_TYPES);
    const accept = pick(ACCEPTS);
    const headers: Record<string, string> = {};
    if (contentType !== null) headers['content-type'] = contentType;
    if (accept !== null) headers['accept'] = accept;
    if (chance(0.05)) headers['origin'] = pick(['http://evil.example', 'null', 'http://localhost']);
    if (chance(0.05)) headers['x-odd'] = 'é'.repeat(int(100));
    const bytes = method === 'GET' || method === 'HEAD' || (method === 'OPTIONS' && chance(0.5)) ? Buffer.alloc(0) : body(contentType);
    const separator = path.includes('?') ? '&' : '?';
    const target = method === 'GET' || chance(0.1) ? `${path}${separator}${queryString()}` : path;
    let framed: Buffer;
    let ending: GeneratedRequest['ending'] = 'keep-open';
    let label = `#${index} ${method} ${target.slice(0, 80)} ct=${contentType} accept=${accept} body=${bytes.length}B`;
    const framing = int(10);
    if (framing === 0 && bytes.length > 0) {
      // Chunked, in 1–3 chunks.
      headers['transfer-encoding'] = 'chunked';
      const cut = int(bytes.length);
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)].filter((c) => c.length > 0);
      framed = Buffer.concat([...chunks.flatMap((c) => [Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]), Buffer.from('0\r\n\r\n')]);
      label += ' chunked';
    } else if (framing === 1 && bytes.length > 1) {
      // Cut short: declares the whole length, sends a part, then half-closes.
      headers['content-length'] = String(bytes.length);
      framed = bytes.subarray(0, int(bytes.length));
      label += ' cut-short';
      ending = 'half-close';
    } else {
      framed = bytes;
    }
    return { label, bytes: rawPost(headers, framed, `${method} ${target}`), ending, graphqlEndpoint: /^\/graphql(?:$|[?#])/.test(path), method };
  };
}
