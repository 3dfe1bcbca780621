import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthApp, type AuthApp } from './helpers.js';

/** `/metrics` with auth on: Prometheus must present a credential with the `metrics` scope. */
describe('/metrics with auth on', () => {
  let t: AuthApp;
  beforeAll(async () => {
    t = await startAuthApp();
  });
  afterAll(() => t?.close());

  const scrape = (token: string | null) =>
    fetch(t.graphqlUrl.replace(/graphql$/, 'metrics'), { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  it('is 401 with WWW-Authenticate without a credential or with an unknown one', async () => {
    for (const token of [null, 'cryo_nope_nope']) {
      const response = await scrape(token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await response.text()).not.toMatch(/cryo_metrics_/);
    }
  });

  it('is 403 for a credential without the metrics scope, even an admin one', async () => {
    for (const scopes of [['read'], ['read', 'write', 'admin']]) {
      const response = await scrape(await t.key('ops', scopes));
      expect(response.status).toBe(403);
    }
  });

  it('serves the Prometheus text to a credential with the metrics scope', async () => {
    const response = await scrape(await t.key('ops', ['metrics']));
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^# HELP cryo_graphql_operations_total/m);
  });
});
