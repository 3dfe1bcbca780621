import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Authenticator } from '../auth/authenticator.js';
import type { Identity } from '../auth/identity.js';

/** Close code for a socket whose credential is bad, expired or revoked (graphql-ws "Forbidden"). */
export const CLOSE_FORBIDDEN = 4403;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Watched {
  identity: Identity;
  timer: NodeJS.Timeout | null;
}

/**
 * Closes authenticated WebSockets (4403) when their credential stops working: at its expiry
 * (a timer), when its API key is revoked on any instance (the authenticator relays the storage's
 * change feed), and, as a safety net against lost notifications, when a periodic re-check
 * (every `recheckMs`) finds it revoked. Sockets without a credential (auth off) are not watched.
 */
export class SocketGuard {
  readonly #sockets = new Map<WebSocket, Watched>();
  readonly #stopRevoked: () => void;
  readonly #recheck: NodeJS.Timeout;

  constructor(
    readonly authenticator: Authenticator,
    readonly logger: Logger,
    recheckMs = 10_000,
  ) {
    this.#stopRevoked = authenticator.onRevoked((keyId) => {
      for (const [socket, watched] of this.#sockets) {
        if (watched.identity.keyId === keyId) this.#close(socket, 'credential revoked');
      }
    });
    this.#recheck = setInterval(() => void this.#recheckAll(), recheckMs);
    this.#recheck.unref();
  }

  /** Starts watching a socket's credential. */
  watch(socket: WebSocket, identity: Identity): void {
    let timer: NodeJS.Timeout | null = null;
    if (identity.expiresAt) {
      const ms = Math.max(0, identity.expiresAt.getTime() - Date.now());
      if (ms <= MAX_TIMER_MS) {
        timer = setTimeout(() => this.#close(socket, 'credential expired'), ms);
        timer.unref();
      }
    }
    this.#sockets.set(socket, { identity, timer });
  }

  /** Stops watching (the socket closed). */
  forget(socket: WebSocket): void {
    const watched = this.#sockets.get(socket);
    if (watched?.timer) clearTimeout(watched.timer);
    this.#sockets.delete(socket);
  }

  /** Stops everything. Idempotent. */
  close(): void {
    this.#stopRevoked();
    clearInterval(this.#recheck);
    for (const socket of [...this.#sockets.keys()]) this.forget(socket);
  }

  #close(socket: WebSocket, reason: string): void {
    this.forget(socket);
    this.logger.info({ reason }, 'websocket closed: credential no longer valid');
    socket.close(CLOSE_FORBIDDEN, reason);
  }

  async #recheckAll(): Promise<void> {
    for (const [socket, watched] of [...this.#sockets]) {
      try {
        if (!(await this.authenticator.stillValid(watched.identity))) this.#close(socket, 'credential no longer valid');
      } catch {
        // Storage unavailable: keep the socket; the next round checks again.
      }
    }
  }
}
