import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isCrossOrigin, refuseCrossOrigin } from '../../src/server/origin.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('isCrossOrigin', () => {
  it('passes requests without Origin (Node, curl, the typed client) and same-origin pages', () => {
    expect(isCrossOrigin(request({ host: 'cryo.local:4000' }))).toBe(false);
    expect(isCrossOrigin(request({ host: 'cryo.local:4000', origin: 'http://cryo.local:4000' }))).toBe(false);
    expect(isCrossOrigin(request({ host: 'CRYO.local:4000', origin: 'https://cryo.local:4000' })), 'scheme and case ignored').toBe(false);
  });

  it('refuses another host or port, the opaque origin null, and a malformed Origin', () => {
    expect(isCrossOrigin(request({ host: 'cryo.local:4000', origin: 'http://evil.example' }))).toBe(true);
    expect(isCrossOrigin(request({ host: 'cryo.local:4000', origin: 'http://cryo.local:4001' }))).toBe(true);
    expect(isCrossOrigin(request({ host: 'cryo.local:4000', origin: 'null' }))).toBe(true);
    expect(isCrossOrigin(request({ host: 'cryo.local:4000', origin: '::not a url' }))).toBe(true);
    expect(isCrossOrigin(request({ origin: 'http://cryo.local:4000' })), 'no Host at all').toBe(true);
  });

  it('accepts the public host a proxy forwards in X-Forwarded-Host (any of a list)', () => {
    const headers = { host: '10.0.0.5:4000', origin: 'https://cryo.example.com' };
    expect(isCrossOrigin(request(headers))).toBe(true);
    expect(isCrossOrigin(request({ ...headers, 'x-forwarded-host': 'cryo.example.com' }))).toBe(false);
    expect(isCrossOrigin(request({ ...headers, 'x-forwarded-host': 'edge.example.com, cryo.example.com' }))).toBe(false);
  });

  it('lets listed origins through (exact, lower-cased), or every origin with *', () => {
    const dash = request({ host: 'cryo.local:4000', origin: 'https://Dash.example.com' });
    expect(isCrossOrigin(dash, ['https://dash.example.com'])).toBe(false);
    expect(isCrossOrigin(dash, ['https://dash.example.com:8443'])).toBe(true);
    expect(isCrossOrigin(dash, ['*'])).toBe(false);
  });
});

describe('refuseCrossOrigin', () => {
  it('answers 403 with a GraphQL-shaped FORBIDDEN_ORIGIN error and discards the body', () => {
    let resumed = false;
    const req = { resume: () => void (resumed = true) } as unknown as IncomingMessage;
    const sent: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
    const res = {
      writeHead: (status: number, headers: Record<string, unknown>) => Object.assign(sent, { status, headers }),
      end: (body: string) => void (sent.body = body),
    } as unknown as ServerResponse;
    refuseCrossOrigin(req, res);
    expect(sent.status).toBe(403);
    expect(sent.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(sent.body!) });
    expect(JSON.parse(sent.body!)).toEqual({
      errors: [{ message: 'cross-origin requests are refused', extensions: { code: 'FORBIDDEN_ORIGIN', http: { status: 403 } } }],
    });
    expect(resumed).toBe(true);
  });
});
