import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { authRequired, isLoopbackHost } from '../../src/auth/auth-config.js';
import { buildApp } from '../../src/app.js';
import { ConfigError, defineConfig, parseConfig } from '../../src/config.js';

describe('CRYO_AUTH modes and safe defaults', () => {
  it('parses the access settings from the environment and flags, and refuses bad ones', () => {
    expect(parseConfig({}, []).auth.mode).toBe('auto');
    const config = parseConfig({ CRYO_AUTH: 'on', CRYO_JWT_ISSUER: 'https://idp', CRYO_MAX_SUBSCRIPTIONS_PER_CLIENT: '7' }, ['--requests-per-second', '50']);
    expect(config.auth).toMatchObject({ mode: 'on', jwtIssuer: 'https://idp', maxSubscriptionsPerClient: 7, requestsPerSecond: 50 });
    expect(() => parseConfig({ CRYO_AUTH: 'maybe' }, [])).toThrow(ConfigError);
    expect(() => parseConfig({ CRYO_JWT_SECRET: 'short' }, [])).toThrow(/at least 32 characters/);
    expect(() => parseConfig({ CRYO_JWT_SECRET: 'short' }, [])).not.toThrow(/short/);
  });

  it('is off on loopback and on elsewhere unless set', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '192.168.1.2']) expect(isLoopbackHost(host), host).toBe(false);
    expect(authRequired({ mode: 'auto' }, '127.0.0.1')).toBe(false);
    expect(authRequired({ mode: 'auto' }, '0.0.0.0')).toBe(true);
    expect(authRequired({ mode: 'on' }, '127.0.0.1')).toBe(true);
    expect(authRequired({ mode: 'off' }, '0.0.0.0')).toBe(false);
  });

  it('serves loopback without a token (namespace "default", all scopes), and requires one on 0.0.0.0 by default', async () => {
    const local = await buildApp(defineConfig({ port: 0, logLevel: 'silent', storage: 'memory:' }), { dashboardDir: null, operationsDir: null });
    const { url } = await local.start();
    try {
      const response = await fetch(`${url}graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { namespace scopes authenticated } }' }),
      });
      expect(await response.json()).toEqual({ data: { viewer: { namespace: 'default', scopes: ['admin', 'metrics', 'read', 'write'], authenticated: false } } });
    } finally {
      await local.stop();
    }
    const open = await buildApp(defineConfig({ port: 0, host: '0.0.0.0', logLevel: 'silent', storage: 'memory:' }), { dashboardDir: null, operationsDir: null });
    const { port } = await open.start();
    try {
      expect(open.authRequired).toBe(true);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { namespace } }' }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    } finally {
      await open.stop();
    }
  });

  it('warns at start when auth is explicitly off on a non-loopback address', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const app = await buildApp(defineConfig({ port: 0, host: '0.0.0.0', storage: 'memory:', auth: { mode: 'off' } }), {
      logger,
      dashboardDir: null,
      operationsDir: null,
    });
    await app.start();
    await app.stop();
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
    expect(warnings.map((w) => w.msg)).toEqual([expect.stringMatching(/auth is OFF on a non-loopback address/)]);
    expect(app.authRequired).toBe(false);
  });
});
