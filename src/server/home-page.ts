import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.graphql': 'text/plain; charset=utf-8',
};

const RESERVED = /^\/(graphql|health|ready)(\/|$)/;

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cryo</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Cryo</h1>
<p>The GraphQL API is at <a href="/graphql">/graphql</a> (GraphiQL outside production).
Liveness: <a href="/health">/health</a>, readiness: <a href="/ready">/ready</a>.</p>
</body></html>
`;

/**
 * Serves the page at `/`: the dashboard's built files from `dir` when `dir/index.html` exists
 * (GET/HEAD of `/` or of an existing file under `dir`), else a tiny placeholder page at `/`.
 * Returns false when the request is not for it (the caller passes it on to Yoga). Paths are
 * resolved inside `dir`; nothing outside it is ever served. No caching headers, no ranges.
 */
export function createHomePage(dir: string | null): (req: IncomingMessage, res: ServerResponse) => boolean {
  const root = dir ? resolve(dir) : null;
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = decodePath((req.url ?? '/').split('?')[0] ?? '/');
    if (pathname === null || RESERVED.test(pathname)) return false;
    if (root && isFile(join(root, 'index.html'))) {
      const file = pathname === '/' ? join(root, 'index.html') : resolve(root, `.${pathname}`);
      if (!file.startsWith(root + sep) || !isFile(file)) return false;
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).on('error', () => res.destroy()).pipe(res);
      return true;
    }
    if (pathname !== '/') return false;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(PLACEHOLDER) });
    res.end(req.method === 'HEAD' ? undefined : PLACEHOLDER);
    return true;
  };
}

function decodePath(path: string): string | null {
  try {
    const decoded = decodeURIComponent(path);
    return decoded.includes('\0') ? null : decoded;
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
