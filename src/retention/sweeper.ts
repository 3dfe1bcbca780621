import type { Storage, SweepRetentionResult } from '../storage/types.js';

/** Where the sweeper reports: a pino logger fits. */
export interface SweeperLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** A scheduled run that can be called off. */
export interface ScheduledRun {
  cancel(): void;
}

/** Runs `run` once after `ms` milliseconds. */
export type Schedule = (run: () => void, ms: number) => ScheduledRun;

/** One sweep's outcome: its result, or the error it failed with. */
export type SweepOutcome = { ok: true; result: SweepRetentionResult } | { ok: false; error: unknown };

/** Options of {@link RetentionSweeper}. */
export interface RetentionSweeperOptions {
  /** The storage whose sweepRetention is called. */
  storage: Pick<Storage, 'sweepRetention'>;
  /** Milliseconds from the end of one sweep to the start of the next (≥ 1). */
  intervalMs: number;
  logger: SweeperLogger;
  /** How the next sweep is scheduled. @default setTimeout, unref'd (it never keeps the process alive) */
  schedule?: Schedule;
  /** The time each sweep counts maxAgeSeconds back from. @default the storage's clock */
  now?: () => Date;
  /** Called after every sweep (tests, metrics). */
  onSweep?: (outcome: SweepOutcome) => void;
}

const timerSchedule: Schedule = (run, ms) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return { cancel: () => clearTimeout(timer) };
};

/**
 * Applies every thread's retention policy periodically (docs/architecture.md, "Retention") by
 * calling `storage.sweepRetention`. One sweep at a time: the next is scheduled only once the
 * previous has finished, so a slow sweep delays the next instead of overlapping it. A sweep is an
 * ordinary async storage call: requests keep being served meanwhile (how long one adapter call
 * holds a thread is the adapter's promise, see Storage.sweepRetention). A failure is logged (warn)
 * and the next sweep still comes. With several servers on one backend each runs its sweeper; the
 * storage's lease makes all but one skip. Does NOT persist anything itself nor catch up missed
 * intervals.
 */
export class RetentionSweeper {
  readonly #options: RetentionSweeperOptions;
  readonly #schedule: Schedule;
  #next: ScheduledRun | null = null;
  #running: Promise<SweepOutcome> | null = null;
  #stopped = true;

  constructor(options: RetentionSweeperOptions) {
    if (!Number.isSafeInteger(options.intervalMs) || options.intervalMs < 1) {
      throw new RangeError(`intervalMs must be a positive integer (got ${options.intervalMs})`);
    }
    this.#options = options;
    this.#schedule = options.schedule ?? timerSchedule;
  }

  /** Schedules the first sweep one interval from now. Idempotent while running. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#arm();
  }

  /**
   * Runs one sweep now, or joins the one in progress (never two at once). Resolves with its
   * outcome; never rejects (a failure is logged and returned).
   */
  sweepNow(): Promise<SweepOutcome> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Cancels the next sweep and waits for one in progress to end. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#next?.cancel();
    this.#next = null;
    await this.#running;
  }

  #arm(): void {
    if (this.#stopped || this.#next) return;
    this.#next = this.#schedule(() => {
      this.#next = null;
      void this.sweepNow().then(() => this.#arm());
    }, this.#options.intervalMs);
  }

  async #sweep(): Promise<SweepOutcome> {
    const { storage, logger, now, onSweep } = this.#options;
    const started = Date.now();
    let outcome: SweepOutcome;
    try {
      const result = await storage.sweepRetention(now ? { now: now() } : {});
      outcome = { ok: true, result };
      const fields = { ...result, ms: Date.now() - started };
      if (result.dropped > 0) logger.info(fields, 'retention sweep');
      else logger.debug(fields, 'retention sweep');
    } catch (error) {
      outcome = { ok: false, error };
      logger.warn({ err: error, ms: Date.now() - started }, 'retention sweep failed; the next one runs as scheduled');
    }
    onSweep?.(outcome);
    return outcome;
  }
}
