import type { Attach } from './attachment.js';

/**
 * Placeholder: graphql-ws on the HTTP server's port and path. Owned by the "live" helper, who
 * replaces this body (new WebSocketServer({ server, path: '/graphql', maxPayload }) + useServer
 * with the hardened getEnveloped bridge, STACK.md §1); src/app.ts already attaches it on start
 * and closes it on stop, after readiness goes off and before HTTP closes.
 */
export const attachWebSocket: Attach = () => ({ close: async () => {} });
