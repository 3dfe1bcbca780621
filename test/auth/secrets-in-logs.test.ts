import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCode, connected, hsJwt, JWT_SECRET, startAuthApp, type AuthApp } from './helpers.js';

describe('no token or secret reaches a log line', () => {
  const lines: string[] = [];
  let server: AuthApp;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    server = await startAuthApp({ logger: pino({ level: 'trace' }, sink) });
  });
  afterAll(() => server.close());

  it('logs at trace level while keys are created, used, revoked and refused, and never prints one', async () => {
    const admin = await server.key('logs', ['admin']);
    const created = (
      await server.data(admin, 'mutation { createApiKey(input: { label: "x", scopes: ["read"] }) { ... on CreateApiKeySuccess { secret apiKey { id } } } }')
    ).createApiKey;
    const jwt = await hsJwt({ ns: 'logs', scope: 'read' });
    const expiredJwt = await hsJwt({ ns: 'logs', scope: 'read' }, { exp: -60 });
    const forged = `cryo_${created.apiKey.id}_${'Z'.repeat(43)}`;
    await server.data(created.secret, '{ viewer { namespace } }');
    await server.data(jwt, '{ viewer { namespace } }');
    for (const bad of [forged, expiredJwt, 'garbage-token-that-is-secret']) expect((await server.call(bad, '{ viewer { namespace } }')).status).toBe(401);
    // A failing operation (unexpected errors are logged with details) and a forbidden one.
    await server.call(created.secret, 'mutation { appendEntries(input: { threadId: "t", entries: [{}] }) { __typename } }');
    await server.call(admin, `mutation { appendEntries(input: { threadId: "${'x'.repeat(300)}", entries: [{}] }) { __typename } }`);
    const socket = server.ws(created.secret);
    const closed = closeCode(socket);
    await connected(socket);
    await server.data(admin, `mutation { revokeApiKey(id: "${created.apiKey.id}") { deleted } }`);
    expect(await closed).toBe(4403);
    expect(await closeCode(server.ws(forged))).toBe(4403);

    expect(lines.length).toBeGreaterThan(5);
    const log = lines.join('');
    const secretParts = (token: string) => [token, token.slice(-43)];
    for (const secret of [...secretParts(admin), ...secretParts(created.secret), jwt, jwt.split('.')[2]!, expiredJwt, forged, JWT_SECRET, 'garbage-token-that-is-secret']) {
      expect(log.includes(secret), `a log line contains a secret (${secret.slice(0, 8)}…)`).toBe(false);
    }
    expect(log).toContain('API key revoked');
  });
});
