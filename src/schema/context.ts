import type { Logger } from 'pino';
import type { FairUse } from '../auth/fair-use.js';
import type { Identity } from '../auth/identity.js';
import type { Limits } from '../domain/limits.js';
import type { LiveHub } from '../live/live-hub.js';
import type { Storage } from '../storage/types.js';

/**
 * What every resolver (query, mutation, subscription; HTTP, SSE or WebSocket) receives.
 * Built once per operation by the app from the caller's credential; resolvers must scope
 * every storage call by `namespace`, which is always `identity.namespace`.
 * It does NOT carry the raw request nor the token: transports differ (see docs/architecture.md).
 */
export interface CryoContext {
  /** The storage adapter the server was started with (shared, never closed by a resolver). */
  storage: Storage;
  /** The caller's namespace, from its credential ("default" when auth is off). */
  namespace: string;
  /** Who is calling and with which scopes (schema/builder.ts checks the scopes per field). */
  identity: Identity;
  /** The fair-use key of the caller: its credential's subject, or `ip:<address>` when auth is off. */
  client: string;
  /** Per-client caps (subscriptions); shared by every operation of the app. */
  fairUse: FairUse;
  /** The app's live layer over `storage`: subscriptions come from it (shared reads, closed on stop). */
  live: LiveHub;
  /** Input limits (page sizes, entry counts, sizes). */
  limits: Limits;
  /** Structured logger (pino); resolvers log sparingly, never per entry. */
  logger: Logger;
}
