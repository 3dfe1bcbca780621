import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withBodyLimit } from '../../src/server/body-limit.js';
import { freshId, startTestApp, type TestApp } from '../support/app.js';
import { rawExchange, rawPost, type RawReply } from './raw-http.js';

const APPEND = 'mutation($input: AppendEntriesInput!) { appendEntries(input: $input) { __typename } }';
const GQL_RESPONSE = 'application/graphql-response+json';

/** The single GraphQL error of a refusal, checked for shape, status and code. */
function refusal(reply: RawReply, status: number, code: string): string {
  expect(reply.status, reply.body).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/(json|graphql-response\+json); charset=utf-8$/);
  const body = JSON.parse(reply.body) as { errors: { message: string; extensions: { code: string } }[]; data?: unknown };
  expect(body.data).toBeUndefined();
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]!.extensions.code).toBe(code);
  return body.errors[0]!.message;
}

describe('every HTTP request gets a prompt answer: a status, a GraphQL error, nothing written', () => {
  let t: TestApp;
  let port: number;
  const threadId = freshId('answered');
  const appendBody = JSON.stringify({ query: APPEND, variables: { input: { threadId, entries: [{ payload: { text: 'é' } }] } } });

  beforeAll(async () => {
    t = await startTestApp('memory', { limits: { maxRequestBytes: 64 * 1024 } });
    port = Number(new URL(t.url).port);
  });
  afterAll(() => t?.close());
  afterEach(async () => {
    expect(await t.data('{ __typename }')).toEqual({ __typename: 'Query' });
    expect(await t.data('query($id: ID!) { thread(id: $id) { rev } }', { id: threadId })).toEqual({ thread: null });
  });

  it('a POST without a body (no Content-Length) is 400 BAD_REQUEST, not a hang', async () => {
    const reply = await rawExchange(port, rawPost({ 'content-type': 'application/json', 'content-length': '0' }));
    expect(refusal(reply, 400, 'BAD_REQUEST')).toMatch(/invalid JSON/);
    const bare = await rawExchange(port, 'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\r\n');
    refusal(bare, 400, 'BAD_REQUEST');
  });

  it('an empty body from fetch, and an empty chunked body, are 400 in the media type the client accepts', async () => {
    const response = await fetch(t.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: GQL_RESPONSE } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe(`${GQL_RESPONSE}; charset=utf-8`);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
    const chunked = await rawExchange(port, rawPost({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, '0\r\n\r\n'));
    refusal(chunked, 400, 'BAD_REQUEST');
  });

  it('a body cut short (the client half-closes before sending what it declared) is 400', async () => {
    const half = appendBody.slice(0, 40);
    const reply = await rawExchange(port, rawPost({ 'content-type': 'application/json', 'content-length': String(appendBody.length) }, half));
    expect(refusal(reply, 400, 'BAD_REQUEST')).toMatch(/ended before its body was complete/);
    const chunked = await rawExchange(port, rawPost({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, `28\r\n${half}\r\n`));
    refusal(chunked, 400, 'BAD_REQUEST');
  });

  it('aborted uploads (the client resets mid-body) release their sockets and leave the server serving', async () => {
    const serverSockets: Socket[] = [];
    const onConnection = (socket: Socket) => serverSockets.push(socket);
    t.app.server.on('connection', onConnection);
    try {
      const head = rawPost({ 'content-type': 'application/json', 'content-length': String(appendBody.length) }, appendBody.slice(0, 30));
      for (let i = 0; i < 20; i++) {
        const socket = connect(port, '127.0.0.1');
        await once(socket, 'connect');
        socket.write(head);
        // Wait until the server has the request, then reset.
        while (serverSockets.length <= i) await once(t.app.server, 'connection');
        socket.resetAndDestroy();
      }
      // (Not events.once: the server socket may also emit the reset as an 'error'.)
      await Promise.all(serverSockets.map((s) => (s.destroyed ? undefined : new Promise((resolve) => s.once('close', resolve)))));
      expect(serverSockets.every((s) => s.destroyed)).toBe(true);
    } finally {
      t.app.server.off('connection', onConnection);
    }
  });

  it('no Content-Type, or one no parser takes, is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const none = await rawExchange(port, rawPost({}, appendBody));
    expect(refusal(none, 415, 'UNSUPPORTED_MEDIA_TYPE')).toMatch(/needs a Content-Type/);
    const plain = await rawExchange(port, rawPost({ 'content-type': 'text/plain', accept: GQL_RESPONSE }, appendBody));
    expect(refusal(plain, 415, 'UNSUPPORTED_MEDIA_TYPE')).toMatch(/"text\/plain" is not supported/);
    expect(plain.headers['content-type']).toBe(`${GQL_RESPONSE}; charset=utf-8`);
  });

  it('a charset other than UTF-8 is 415; bytes that are not UTF-8 are 400 (never stored as U+FFFD)', async () => {
    const latin1 = Buffer.from(appendBody, 'latin1');
    const declared = await rawExchange(port, rawPost({ 'content-type': 'application/json; charset=ISO-8859-1' }, latin1));
    expect(refusal(declared, 415, 'UNSUPPORTED_MEDIA_TYPE')).toMatch(/charset "ISO-8859-1"/);
    const undeclared = await rawExchange(port, rawPost({ 'content-type': 'application/json' }, latin1));
    expect(refusal(undeclared, 400, 'BAD_REQUEST')).toMatch(/not valid UTF-8/);
    const utf8 = await rawExchange(port, rawPost({ 'content-type': 'application/json; charset="UTF-8"' }, '{"query":"{ __typename }"}'));
    expect(utf8.status).toBe(200);
  });

  it('a mutation over GET is 405 with Allow: POST, another method 405', async () => {
    const url = `${t.graphqlUrl}?query=${encodeURIComponent(`mutation { deleteThread(id: "${threadId}") { deleted } }`)}`;
    const response = await fetch(url, { headers: { accept: GQL_RESPONSE } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect((await response.json()).errors[0].message).toMatch(/mutation operation from a POST/);
    const put = await fetch(t.graphqlUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: appendBody });
    expect(put.status).toBe(405);
    expect((await put.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('unreadable variables in a query string or a form body are 400 BAD_REQUEST (found by the fuzz test: they were 500)', async () => {
    const get = await fetch(`${t.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}&variables=%7B`);
    expect(get.status).toBe(400);
    expect((await get.json()).errors[0]).toMatchObject({ message: expect.stringMatching(/parameters could not be read/), extensions: { code: 'BAD_REQUEST' } });
    const form = await rawExchange(port, rawPost({ 'content-type': 'application/x-www-form-urlencoded' }, `query=${encodeURIComponent(APPEND)}&extensions=%5B`), 'keep-open');
    refusal(form, 400, 'BAD_REQUEST');
  });

  it('multipart operations that are not an object (null) are 400 BAD_REQUEST (found by the fuzz test, seed 442231426: it was 500)', async () => {
    const body = '--xyz\r\nContent-Disposition: form-data; name="operations"\r\n\r\nnull\r\n--xyz--\r\n';
    const reply = await rawExchange(port, rawPost({ 'content-type': 'multipart/form-data; boundary=xyz' }, body), 'keep-open');
    expect(refusal(reply, 400, 'BAD_REQUEST')).toMatch(/must be a JSON object/);
  });

  it('an Accept header naming no media type served is 406 with a GraphQL error naming those that are', async () => {
    const reply = await rawExchange(port, rawPost({ 'content-type': 'application/json', accept: 'text/html' }, appendBody), 'keep-open');
    expect(refusal(reply, 406, 'NOT_ACCEPTABLE')).toMatch(/accept one of .*application\/graphql-response\+json/);
  });

  it('bytes that are not HTTP get a JSON 400 from the parser guard', async () => {
    const reply = await rawExchange(port, '\x00\x01garbage\r\n\r\n');
    expect(refusal(reply, 400, 'BAD_REQUEST')).toMatch(/malformed HTTP request/);
  });
});

describe('withBodyLimit on a bare server', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer(withBodyLimit(1024, (_req, res) => res.end('read'), { idleMs: 200 }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a body that stalls is refused with 408 REQUEST_TIMEOUT after idleMs, and the connection closed', async () => {
    const started = Date.now();
    const reply = await rawExchange(port, rawPost({ 'content-type': 'application/json', 'content-length': '100' }, '{"query":'), 'keep-open', 5000);
    expect(refusal(reply, 408, 'REQUEST_TIMEOUT')).toMatch(/stalled: no byte for 200 ms \(got 9 bytes\)/);
    expect(reply.headers['connection']).toBe('close');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('a body that keeps coming stays within the idle window (each chunk restarts it)', async () => {
    const reply = await rawExchange(port, rawPost({ 'content-type': 'application/json' }, '{}'));
    expect(reply).toMatchObject({ status: 200, body: 'read' });
  });
});
