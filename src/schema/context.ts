import type { Logger } from 'pino';
import type { Limits } from '../domain/limits.js';
import type { LiveHub } from '../live/live-hub.js';
import type { Storage } from '../storage/types.js';

/**
 * What every resolver (query, mutation, subscription; HTTP, SSE or WebSocket) receives.
 * Built once per operation by the app; resolvers must scope every storage call by `namespace`.
 * It does NOT carry the raw request: transports differ (see docs/architecture.md).
 */
export interface CryoContext {
  /** The storage adapter the server was started with (shared, never closed by a resolver). */
  storage: Storage;
  /** The caller's namespace: "default" for now; later derived from credentials. */
  namespace: string;
  /** The app's live layer over `storage`: subscriptions come from it (shared reads, closed on stop). */
  live: LiveHub;
  /** Input limits (page sizes, entry counts, sizes). */
  limits: Limits;
  /** Structured logger (pino); resolvers log sparingly, never per entry. */
  logger: Logger;
}
