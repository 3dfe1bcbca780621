import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key.js';
import { closeCode, connected, hsJwt, startAuthApp, type AuthApp } from './helpers.js';

const VIEWER = '{ viewer { namespace scopes authenticated expiresAt } }';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('credentials: every bad kind is refused alike, good ones name the caller', () => {
  let server: AuthApp;
  let dir: string;
  let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
  let ed: { privateKey: CryptoKey; publicKey: CryptoKey };
  let rsaJwk: JWK;
  let stranger: { privateKey: CryptoKey };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cryo-jwks-'));
    rsa = await generateKeyPair('RS256');
    ed = await generateKeyPair('EdDSA');
    stranger = await generateKeyPair('RS256');
    rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256' };
    const edJwk = { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA' };
    await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [rsaJwk, edJwk] }));
    server = await startAuthApp({ auth: { jwksFile: join(dir, 'jwks.json'), jwtIssuer: 'https://idp.test', jwtAudience: 'cryo' } });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const signed = (alg: string, key: CryptoKey, kid: string, claims: Record<string, unknown> = {}) =>
    new SignJWT({ ns: 'jwt-ns', scope: 'read write', ...claims })
      .setProtectedHeader({ alg, kid })
      .setIssuer('https://idp.test')
      .setAudience('cryo')
      .setExpirationTime('1h')
      .sign(key);
  const hs = (claims: Record<string, unknown> = {}, options: Parameters<typeof hsJwt>[1] = {}) =>
    hsJwt({ ns: 'jwt-ns', scope: 'read', ...claims }, { iss: 'https://idp.test', aud: 'cryo', ...options });

  it('accepts an API key, an HS256 JWT, and RS256 / EdDSA JWTs from the JWKS file', async () => {
    const key = await server.key('key-ns', ['read', 'write']);
    expect((await server.data(key, VIEWER)).viewer).toEqual({ namespace: 'key-ns', scopes: ['read', 'write'], authenticated: true, expiresAt: null });
    const jwt = await hs();
    expect((await server.data(jwt, VIEWER)).viewer).toMatchObject({ namespace: 'jwt-ns', scopes: ['read'], authenticated: true });
    expect((await server.data(await signed('RS256', rsa.privateKey, 'rsa-1'), VIEWER)).viewer.scopes).toEqual(['read', 'write']);
    expect((await server.data(await signed('EdDSA', ed.privateKey, 'ed-1'), VIEWER)).viewer.namespace).toBe('jwt-ns');
    const admin = await server.key('key-ns', ['admin']);
    expect((await server.data(admin, VIEWER)).viewer.scopes).toEqual(['admin', 'read', 'write']);
  });

  it('answers 401 + WWW-Authenticate: Bearer + UNAUTHENTICATED for each bad credential, over HTTP and SSE', async () => {
    const good = await server.key('key-ns', ['read']);
    const id = /^cryo_([0-9a-f]{16})_/.exec(good)![1]!;
    // Created ten seconds ago with a one-second lifetime: expired.
    const expired = (await issueApiKey(server.storage, { namespace: 'key-ns', scopes: ['read'], expiresInSeconds: 1 }, new Date(Date.now() - 10_000))).secret;
    const revoked = await server.key('key-ns', ['read']);
    await server.storage.revokeApiKey({ namespace: 'key-ns', id: /^cryo_([0-9a-f]{16})_/.exec(revoked)![1]! });
    const rsaAsHmac = await new SignJWT({ ns: 'jwt-ns', scope: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setIssuer('https://idp.test')
      .setAudience('cryo')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JSON.stringify(rsaJwk)));
    const cases: [string, Record<string, string>][] = [
      ['no header', {}],
      ['empty header', { authorization: '' }],
      ['not Bearer', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
      ['Bearer without token', { authorization: 'Bearer' }],
      ['unknown well-formed key', { authorization: `Bearer cryo_${'0'.repeat(16)}_${'A'.repeat(43)}` }],
      ['known id, wrong secret', { authorization: `Bearer cryo_${id}_${'B'.repeat(43)}` }],
      ['malformed key', { authorization: 'Bearer cryo_nope' }],
      ['revoked key', { authorization: `Bearer ${revoked}` }],
      ['garbage', { authorization: 'Bearer not-a-token' }],
      ['JWT, bad signature', { authorization: `Bearer ${await hs({}, { secret: 'another-secret-0123456789abcdef01234' })}` }],
      ['JWT, expired', { authorization: `Bearer ${await hs({}, { exp: -60 })}` }],
      ['JWT, not yet valid', { authorization: `Bearer ${await hs({}, { nbf: 600 })}` }],
      ['JWT, wrong issuer', { authorization: `Bearer ${await hs({}, { iss: 'https://evil.test' })}` }],
      ['JWT, wrong audience', { authorization: `Bearer ${await hs({}, { aud: 'other' })}` }],
      ['JWT, no ns claim', { authorization: `Bearer ${await hs({ ns: undefined })}` }],
      ['JWT, alg none', { authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ns: 'jwt-ns', scope: 'admin', iss: 'https://idp.test', aud: 'cryo' })}.` }],
      ['JWT, RSA public key used as HMAC secret', { authorization: `Bearer ${rsaAsHmac}` }],
      ['JWT, RS256 by a key not in the JWKS', { authorization: `Bearer ${await signed('RS256', stranger.privateKey, 'rsa-1')}` }],
    ];
    cases.push(['expired key', { authorization: `Bearer ${expired}` }]);
    for (const [name, headers] of cases) {
      const answer = await server.call(null, VIEWER, {}, headers);
      expect({ name, status: answer.status }).toEqual({ name, status: 401 });
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(answer.body.data).toBeUndefined();
      const sse = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
        body: JSON.stringify({ query: 'subscription { threadEntries(threadId: "t") { __typename } }' }),
      });
      expect({ name, status: sse.status }).toEqual({ name, status: 401 });
      expect(sse.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await sse.body?.cancel();
    }
  });

  it('closes a graphql-ws connection with 4403 when connection_init carries a bad credential, keeps a good one', async () => {
    for (const token of [null, 'not-a-token', `cryo_${'0'.repeat(16)}_${'A'.repeat(43)}`, await hs({}, { exp: -60 })]) {
      const client = server.ws(token);
      expect(await closeCode(client)).toBe(4403);
    }
    const good = server.ws(await server.key('key-ns', ['read']));
    await connected(good);
    const result = await new Promise<any>((resolve, reject) => {
      good.subscribe({ query: VIEWER }, { next: resolve, error: reject, complete: () => {} });
    });
    expect(result.data.viewer.namespace).toBe('key-ns');
  });

  it('closes a socket with 4403 when its JWT expires during a live subscription', async () => {
    const jwt = await hs({}, { exp: 2 });
    const client = server.ws(jwt);
    const closed = closeCode(client);
    const events: string[] = [];
    const ready = new Promise<void>((resolve) => {
      client.subscribe(
        { query: 'subscription { threadEntries(threadId: "expiring") { __typename } }' },
        { next: (r: any) => { events.push(r.data?.threadEntries?.__typename); resolve(); }, error: () => {}, complete: () => {} },
      );
    });
    await ready;
    expect(events).toEqual(['CaughtUp']);
    expect(await closed).toBe(4403);
  });

  it('closes a socket with 4403 when its API key expires during a live subscription', async () => {
    const key = await server.key('key-ns', ['read'], 2);
    const client = server.ws(key);
    const closed = closeCode(client);
    await new Promise<void>((resolve) => {
      client.subscribe({ query: 'subscription { threadEntries(threadId: "expiring") { __typename } }' }, { next: () => resolve(), error: () => {}, complete: () => {} });
    });
    expect(await closed).toBe(4403);
  });
});
