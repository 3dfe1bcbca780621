import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Limits } from '../../domain/limits.js';
import type { ChangeEvent, Storage } from '../types.js';

/** What a conformance factory may be asked for. */
export interface ConformanceFactoryOptions {
  /** Limits overrides; the suite asks for one small-limit instance so limit tests stay cheap. */
  limits?: Partial<Limits>;
}

/** Opens one adapter instance. `cleanup` runs after the suite closed `storage`. */
export type ConformanceFactory = (
  options: ConformanceFactoryOptions,
) => Promise<{ storage: Storage; cleanup?: () => Promise<void> }>;

/** Shared state of one conformance run: the instances open in beforeAll. */
export interface ConformanceContext {
  factory: ConformanceFactory;
  /** An instance at the default limits. */
  storage(): Storage;
  /** An instance at {@link SMALL_LIMITS}. */
  small(): Storage;
}

/** Limits small enough that every limit test writes only a few KiB. */
export const SMALL_LIMITS: Partial<Limits> = {
  maxEntriesPerAppend: 5,
  maxEntryBytes: 2048,
  maxStateBytes: 4096,
  maxMetadataBytes: 512,
  maxIdLength: 40,
  maxKindLength: 16,
  maxPageSize: 10,
  defaultPageSize: 3,
};

/** A fresh random id with a readable prefix (≤ 20 chars, fits SMALL_LIMITS.maxIdLength). */
export function rid(prefix = 'x'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Awaits a rejection and checks its class and fields; fails when the promise resolves. */
export async function rejection<T extends Error>(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => T,
  fields?: Record<string, unknown>,
): Promise<T> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a ${errorClass.name}, got success: ${JSON.stringify(value)?.slice(0, 300)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorClass);
  if (fields) expect(error).toMatchObject(fields);
  return error as T;
}

/** Collects events and lets a test wait until one matches (no sleeps). */
export class EventLog {
  readonly events: ChangeEvent[] = [];
  readonly #waiters: { predicate: (e: ChangeEvent) => boolean; resolve: (e: ChangeEvent) => void }[] = [];

  readonly listener = (event: ChangeEvent): void => {
    this.events.push(event);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(event)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  };

  /** Resolves with the first event (already received or future) matching `predicate`. */
  waitFor(predicate: (e: ChangeEvent) => boolean): Promise<ChangeEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ predicate, resolve }));
  }
}
