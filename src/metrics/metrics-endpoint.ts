import type { Plugin } from 'graphql-yoga';
import type { CryoMetrics } from './registry.js';

/**
 * Decides whether a request may read `/metrics`. Return true to serve it, false for 403, or a
 * Response to answer with (e.g. a 401 with `WWW-Authenticate`). This is where the `metrics`
 * scope is checked once the server authenticates callers; without one, `/metrics` is open
 * (like `/health`), so bind the server to a private interface or put it behind a proxy.
 */
export type MetricsAuthorizer = (request: Request) => boolean | Response | Promise<boolean | Response>;

/**
 * The Yoga plugin serving `GET /metrics` in the Prometheus text format. Any other method gets
 * 405. Does NOT cache: each scrape renders the registry (prom-client collects the default
 * process metrics on render).
 */
export function useMetricsEndpoint(metrics: CryoMetrics, authorize?: MetricsAuthorizer, endpoint = '/metrics'): Plugin {
  return {
    onRequest: ({ url, request, fetchAPI, endResponse }) => {
      if (url.pathname !== endpoint) return;
      const text = (status: number, body: string, headers: Record<string, string> = {}) =>
        endResponse(new fetchAPI.Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } }));
      if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'use GET\n', { allow: 'GET, HEAD' });
      return (async () => {
        const verdict = authorize ? await authorize(request) : true;
        if (typeof verdict === 'object') return endResponse(verdict);
        if (!verdict) return text(403, 'forbidden: the metrics scope is required\n');
        const { contentType, body } = await metrics.render();
        endResponse(new fetchAPI.Response(body, { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' } }));
      })();
    },
  };
}
