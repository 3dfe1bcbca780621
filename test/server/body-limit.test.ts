import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBodyLimit } from '../../src/server/body-limit.js';

const LIMIT = 64;

/** What `next` saw of each request it was handed. */
const seen: { method: string; body: unknown }[] = [];
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer(
    withBodyLimit(LIMIT, (req, res) => {
      const body = (req as IncomingMessage & { body?: unknown }).body;
      seen.push({ method: req.method!, body: Buffer.isBuffer(body) ? body.toString('utf8') : body });
      res.end('ok');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends a request; `chunks` are written one by one without a content-length (chunked). */
function send(method: string, chunks: string[], headers: Record<string, string | number> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/graphql', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('withBodyLimit', () => {
  it('hands a body within the limit to next as an already-read body', async () => {
    seen.length = 0;
    const body = 'x'.repeat(LIMIT);
    const res = await send('POST', [body], { 'content-length': LIMIT });
    expect(res).toMatchObject({ status: 200, body: 'ok' });
    expect(seen).toEqual([{ method: 'POST', body }]);
  });

  it('hands a JSON object body (application/json, UTF-8) over parsed; every other body as its bytes, for Yoga to judge', async () => {
    const cases: [contentType: string, body: string, parsed: boolean][] = [
      ['application/json', ' {"query":"{ a }"}', true],
      ['Application/JSON; charset=utf-8', '{"a":[1]}', true],
      ['application/json', '{}', false],
      ['application/json', '[{"a":1}]', false],
      ['application/json', 'null', false],
      ['application/json', '{"a":', false],
      ['application/json', '\uFEFF{"a":1}', false],
      ['application/json; charset=latin1', '{"a":1}', false],
      ['application/graphql+json', '{"a":1}', false],
      ['text/plain', '{"a":1}', false],
    ];
    for (const [contentType, body, parsed] of cases) {
      seen.length = 0;
      const res = await send('POST', [body], { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      expect(res).toMatchObject({ status: 200, body: 'ok' });
      expect(seen, `${contentType} ${body}`).toEqual([{ method: 'POST', body: parsed ? JSON.parse(body) : body }]);
    }
  });

  it('passes GET straight through', async () => {
    seen.length = 0;
    expect((await send('GET', [])).status).toBe(200);
    expect(seen).toEqual([{ method: 'GET', body: undefined }]);
  });

  it('refuses a declared content-length over the limit at once: 413 PAYLOAD_TOO_LARGE, Connection: close, next not called', async () => {
    seen.length = 0;
    const res = await send('POST', ['x'.repeat(LIMIT + 1)], { 'content-length': LIMIT + 1 });
    expect(res.status).toBe(413);
    expect(res.headers).toMatchObject({ connection: 'close', 'content-type': 'application/json; charset=utf-8' });
    expect(JSON.parse(res.body)).toEqual({
      errors: [{ message: `request body too large: at most ${LIMIT} bytes (got ${LIMIT + 1})`, extensions: { code: 'PAYLOAD_TOO_LARGE', http: { status: 413 } } }],
    });
    expect(seen).toEqual([]);
  });

  it('refuses a chunked body as soon as it streams past the limit', async () => {
    seen.length = 0;
    const res = await send('POST', ['x'.repeat(40), 'x'.repeat(40)]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).errors[0].message).toBe(`request body too large: at most ${LIMIT} bytes (got 80 so far)`);
    expect(seen).toEqual([]);
  });
});
