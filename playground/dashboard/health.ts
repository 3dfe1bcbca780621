import { h, replaceChildren } from './dom.js';
import { clock } from './format.js';

/** How often /ready is asked while all is well, and while it is not. */
const POLL_MS = 5000;
const POLL_BAD_MS = 1500;

/** What the page knows about the server: `ok`, or why its data cannot be trusted right now. */
export type Health =
  | { kind: 'ok' }
  | { kind: 'not-ready'; reason: string; since: string }
  | { kind: 'unreachable'; since: string }
  | { kind: 'storage-failing'; message: string; since: string };

/**
 * Watches the server's health: polls `/ready` (next to the GraphQL endpoint), and hears about
 * failed storage calls from the panels (reportError; reportOk clears it). Shows a banner while
 * anything is wrong and tells listeners, so live badges can say "Stalled" instead of "Live".
 * It does NOT fix anything: panels retry on their own schedule.
 */
export class HealthMonitor {
  #banner: HTMLElement;
  #readyUrl: string;
  #ready: Health = { kind: 'ok' };
  #failure: Health = { kind: 'ok' };
  #listeners = new Set<(health: Health) => void>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #last: Health = { kind: 'ok' };

  constructor(banner: HTMLElement, readyUrl: string) {
    this.#banner = banner;
    this.#readyUrl = readyUrl;
  }

  /** Starts polling /ready. */
  start(): void {
    void this.#poll();
  }

  get current(): Health {
    return this.#ready.kind !== 'ok' ? this.#ready : this.#failure;
  }

  onChange(listener: (health: Health) => void): void {
    this.#listeners.add(listener);
  }

  /** A storage call (a query or a subscription) failed: `error` is shown in the banner. */
  reportError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.#failure.kind !== 'storage-failing') this.#failure = { kind: 'storage-failing', message, since: new Date().toISOString() };
    this.#update();
    this.#pollSoon();
  }

  /** A storage call succeeded: a failure reported earlier is over. */
  reportOk(): void {
    if (this.#failure.kind === 'ok') return;
    this.#failure = { kind: 'ok' };
    this.#update();
  }

  async #poll(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    try {
      const response = await fetch(this.#readyUrl, { cache: 'no-store' });
      if (response.ok) this.#ready = { kind: 'ok' };
      else {
        const body = (await response.json().catch(() => ({}))) as { status?: string };
        const reason = body.status ?? `HTTP ${response.status}`;
        if (this.#ready.kind !== 'not-ready' || this.#ready.reason !== reason) this.#ready = { kind: 'not-ready', reason, since: new Date().toISOString() };
      }
    } catch {
      if (this.#ready.kind !== 'unreachable') this.#ready = { kind: 'unreachable', since: new Date().toISOString() };
    }
    this.#update();
    this.#timer = setTimeout(() => void this.#poll(), this.current.kind === 'ok' ? POLL_MS : POLL_BAD_MS);
  }

  #pollSoon(): void {
    if (this.#ready.kind === 'ok' && this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.#poll(), 200);
    }
  }

  #update(): void {
    const health = this.current;
    if (JSON.stringify(health) === JSON.stringify(this.#last)) return;
    this.#last = health;
    this.#render(health);
    for (const listener of this.#listeners) listener(health);
  }

  #render(health: Health): void {
    this.#banner.hidden = health.kind === 'ok';
    this.#banner.dataset.health = health.kind;
    if (health.kind === 'ok') {
      replaceChildren(this.#banner);
      return;
    }
    const what =
      health.kind === 'not-ready'
        ? `The server is not ready: ${health.reason}.`
        : health.kind === 'unreachable'
          ? 'The server does not answer.'
          : `Storage calls are failing: ${health.message}`;
    replaceChildren(
      this.#banner,
      h('strong', {}, what),
      h('span', {}, ` Since ${clock(health.since)} UTC. What you see may be stale and live journals are stalled; the page retries by itself.`),
    );
  }
}
