import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * True when a request carries an `Origin` header naming another origin than the host it was sent
 * to (its `Host` header), or the opaque origin `null`. Browsers send `Origin` on every cross-origin
 * fetch, form post and WebSocket upgrade, so refusing these keeps other web pages from reading or
 * writing a Cryo server through a visitor's browser (CSRF, cross-site WebSocket hijacking).
 * Requests without `Origin` (Node, curl, the typed client) and same-origin pages (the dashboard,
 * GraphiQL) pass. It compares host and port only, not the scheme (a TLS proxy in front is fine);
 * behind a proxy that rewrites `Host`, the public host may come as `X-Forwarded-Host` (a browser
 * page cannot set that header without a preflight, which is refused). Origins listed in
 * `allowed` (exact `scheme://host[:port]`, or `*` for any) pass too, e.g. a dashboard served from
 * elsewhere (CRYO_ALLOWED_ORIGINS). It does NOT stop DNS rebinding (the attacker's name is then
 * the Host too).
 */
export function isCrossOrigin(req: IncomingMessage, allowed: readonly string[] = []): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  if (allowed.length > 0 && (allowed.includes('*') || allowed.includes(origin.toLowerCase()))) return false;
  let from: string;
  try {
    from = new URL(origin).host;
  } catch {
    return true;
  }
  const forwarded = req.headers['x-forwarded-host'];
  const hosts = [req.headers.host, ...(typeof forwarded === 'string' ? forwarded.split(',') : [])];
  return !hosts.some((host) => host !== undefined && host.trim().toLowerCase() === from);
}

/** Answers 403 with a GraphQL-shaped JSON error (`extensions.code` FORBIDDEN_ORIGIN), without reading the body. */
export function refuseCrossOrigin(req: IncomingMessage, res: ServerResponse): void {
  const payload = JSON.stringify({
    errors: [{ message: 'cross-origin requests are refused', extensions: { code: 'FORBIDDEN_ORIGIN', http: { status: 403 } } }],
  });
  res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
  req.resume();
}
