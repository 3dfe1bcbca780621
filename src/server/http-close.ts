import type { Server } from 'node:http';

/**
 * Closes an HTTP server gracefully: stops accepting connections, lets in-flight requests finish
 * (closing keep-alive connections as soon as they fall idle), and after `graceMs` cuts whatever
 * is still open (slow requests, SSE streams). Resolves when the server has closed. Does NOT
 * touch WebSocket connections: their owner closes them first.
 */
export function closeHttpServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 25);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    idle.unref();
    cut.unref();
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
