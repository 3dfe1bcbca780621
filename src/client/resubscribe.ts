import { CryoClientError, isCloseEventLike, isGraphQLErrorList, toClientError } from './errors.js';

/** Handlers for one subscription attempt. */
export interface AttemptSink<T> {
  next(value: T): void;
  error(error: unknown): void;
  complete(): void;
}

/** What a Resubscriber needs from its owner. */
export interface ResubscriberOptions<T> {
  /** Starts one attempt (e.g. one graphql-ws subscribe); returns a function that stops it. */
  start(sink: AttemptSink<T>): () => void;
  /** One value of the current attempt. */
  onValue(value: T): void;
  /** The attempt completed normally: return true to resubscribe, false to stop. */
  onComplete(): boolean;
  /** A transient failure: the Resubscriber waits `retryDelay(attempt)` ms, then starts again. */
  onRetrying(error: CryoClientError): void;
  /** A permanent failure (bad request, forbidden, validation…): nothing is restarted. */
  onFatal(error: CryoClientError): void;
  /** Delay before retry number `attempt` (0-based). */
  retryDelay(attempt: number): number;
}

/** WebSocket close codes that retrying cannot fix (graphql-ws `CloseCode`). */
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406, 4409, 4429]);
/**
 * GraphQL error codes worth retrying: the server or its storage was briefly unavailable, or the
 * server ended a checkpoint stream this client read too slowly (SUBSCRIBER_TOO_SLOW).
 */
const TRANSIENT_ERROR_CODES = new Set(['STORAGE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'SUBSCRIBER_TOO_SLOW']);

/** Whether a subscription error is worth a retry (dropped sockets, storage outages) or permanent. */
export function isTransient(error: unknown): boolean {
  if (isCloseEventLike(error)) return !FATAL_CLOSE_CODES.has(error.code);
  if (isGraphQLErrorList(error)) {
    return error.some((e) => typeof e.extensions?.code === 'string' && TRANSIENT_ERROR_CODES.has(e.extensions.code));
  }
  if (error instanceof CryoClientError) return error.code === 'CONNECTION_CLOSED' || error.code === 'NETWORK_ERROR';
  return true;
}

/**
 * Keeps one logical subscription alive across dropped connections, server restarts and transient
 * errors by starting a fresh attempt after a backoff. Values of a stale attempt are ignored, so a
 * restart never interleaves two streams. It does NOT deduplicate or order values: its owner does
 * (see watchThread), and chooses the variables of each new attempt.
 */
export class Resubscriber<T> {
  #options: ResubscriberOptions<T>;
  #generation = 0;
  #stop: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #failures = 0;
  #closed = false;

  constructor(options: ResubscriberOptions<T>) {
    this.#options = options;
  }

  /** Starts (or restarts, dropping the current attempt) right away. */
  restart(): void {
    if (this.#closed) return;
    this.#teardown();
    const generation = ++this.#generation;
    const current = () => generation === this.#generation && !this.#closed;
    this.#stop = this.#options.start({
      next: (value) => {
        if (current()) this.#options.onValue(value);
      },
      error: (error) => {
        if (current()) this.#failed(error);
      },
      complete: () => {
        if (!current()) return;
        this.#stop = null;
        if (this.#options.onComplete()) this.#retryLater(new CryoClientError('Subscription completed early', { code: 'CONNECTION_CLOSED' }));
      },
    });
  }

  /** Drops the current attempt and starts a new one after the backoff (counts as a failure). */
  retry(error: CryoClientError): void {
    if (!this.#closed) this.#retryLater(error);
  }

  /** Call when the stream proved healthy (e.g. CaughtUp): the next retry waits the shortest delay again. */
  resetBackoff(): void {
    this.#failures = 0;
  }

  /** Stops for good. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#teardown();
  }

  #failed(raw: unknown): void {
    this.#stop = null;
    const error = toClientError(raw);
    if (!isTransient(raw)) {
      this.close();
      this.#options.onFatal(error);
      return;
    }
    this.#retryLater(error);
  }

  #retryLater(error: CryoClientError): void {
    this.#teardown();
    this.#generation++;
    this.#options.onRetrying(error);
    const delay = this.#options.retryDelay(this.#failures++);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.restart();
    }, delay);
  }

  #teardown(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const stop = this.#stop;
    this.#stop = null;
    stop?.();
  }
}

/** Default backoff: 250 ms doubling to 5 s, with up to 50% jitter so clients do not stampede. */
export function defaultRetryDelay(attempt: number): number {
  const base = Math.min(250 * 2 ** attempt, 5000);
  return Math.round(base * (0.5 + Math.random() * 0.5));
}
