import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCryoClient } from '../../src/client/index.js';
import { CryoClientError } from '../../src/client/errors.js';
import { startAuthApp, type AuthApp } from './helpers.js';

describe('typed client: token option (HTTP header and graphql-ws connectionParams)', () => {
  let server: AuthApp;
  beforeAll(async () => {
    server = await startAuthApp();
  });
  afterAll(() => server.close());

  it('authenticates queries, mutations and subscriptions with the token, and manages keys', async () => {
    const admin = await server.key('client-ns', ['admin']);
    const client = createCryoClient({ url: server.graphqlUrl, token: admin });
    try {
      expect(await client.viewer()).toMatchObject({ namespace: 'client-ns', authenticated: true });
      const created = await client.createApiKey({ label: 'worker', scopes: ['read', 'write'] });
      if (created.__typename !== 'CreateApiKeySuccess') throw new Error(created.__typename);
      const current: string | null = created.secret;
      const worker = createCryoClient({ url: server.graphqlUrl, token: () => current });
      try {
        await worker.appendEntries({ threadId: 't', entries: [{ kind: 'note' }] });
        const events = worker.threadEntries({ threadId: 't', fromSeq: 0 });
        expect((await events.next()).value).toMatchObject({ __typename: 'Entry', seq: 0 });
        await events.return?.();
        expect((await client.apiKeys()).edges.map((e) => e.node.label).sort()).toEqual(['test', 'worker']);
        expect(await client.revokeApiKey(created.apiKey.id)).toEqual({ deleted: true });
        const refused = await worker.viewer().then(() => null, (e: unknown) => e);
        expect(refused).toBeInstanceOf(CryoClientError);
        expect((refused as CryoClientError).code).toBe('UNAUTHENTICATED');
      } finally {
        await worker.close();
      }
    } finally {
      await client.close();
    }
  });
});
