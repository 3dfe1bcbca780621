import { type CryoClient, createCryoClient } from '../client/cryo-client.js';
import type { HeadersOption } from '../client/http.js';
import { createHttpFetch } from './http-fetch.js';

/**
 * The typed client a CryoSaver talks through: the one passed in `client` (the caller closes it),
 * or one built from url, token (an `authorization: Bearer` header), headers and fetch (default:
 * the keep-alive node:http fetch), returned with the close function that ends it.
 */
export function saverClient(options: {
  url: string;
  token?: string | undefined;
  headers?: HeadersOption | undefined;
  fetch?: typeof fetch | undefined;
  client?: CryoClient | undefined;
}): { client: CryoClient; close?: () => Promise<void> } {
  if (options.client) return { client: options.client };
  const { token, headers: extra } = options;
  const headers: HeadersOption | undefined = token
    ? async () => ({ ...(typeof extra === 'function' ? await extra() : (extra ?? {})), authorization: `Bearer ${token}` })
    : extra;
  const http = options.fetch ? undefined : createHttpFetch();
  const fetchImpl = options.fetch ?? (http as ReturnType<typeof createHttpFetch>).fetch;
  const client = createCryoClient({ url: options.url, fetch: fetchImpl, ...(headers ? { headers } : {}) });
  return {
    client,
    close: async () => {
      await client.close();
      http?.close();
    },
  };
}
