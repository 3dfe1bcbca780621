import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { CryoConfig } from '../config.js';
import type { CryoContext } from '../schema/context.js';
import type { Storage } from '../storage/types.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { FairUse } from '../auth/fair-use.js';
import type { Access } from './access.js';
import type { CryoYoga } from './yoga.js';

/**
 * What an add-on to the HTTP server (e.g. graphql-ws on the same port) receives when the app
 * starts: the Node server (already listening), Yoga (for `getEnveloped`: parse/validate cache,
 * armor, masking) and the per-operation context factory.
 */
export interface AttachOptions {
  server: Server;
  yoga: CryoYoga;
  config: CryoConfig;
  storage: Storage;
  logger: Logger;
  /** The resolver context of an operation, from Yoga's initial context (`extra.caller` over WebSocket). */
  createContext(initial?: unknown): CryoContext;
  /** Who may call (credentials, auth on or off). */
  access: Access;
  /** Verifies credentials and reports revocations. */
  authenticator: Authenticator;
  /** Per-client caps. */
  fairUse: FairUse;
}

/** Something attached to the server; closed on stop, after readiness goes off, before HTTP closes. */
export interface ServerAttachment {
  /** Stops accepting and closes live connections (WebSockets: code 1001). Idempotent. */
  close(): Promise<void>;
}

/** Attaches an add-on; called once per start. */
export type Attach = (options: AttachOptions) => ServerAttachment | Promise<ServerAttachment>;
