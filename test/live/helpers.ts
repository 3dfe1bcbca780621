import { randomUUID } from 'node:crypto';
import type { ThreadEntriesEvent } from '../../src/live/events.js';

/** A fresh thread id per test. */
export const freshId = (prefix = 't'): string => `${prefix}-${randomUUID()}`;

/** Pulls exactly `count` events from an iterator (fails if it ends first). */
export async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < count) {
    const result = await iterator.next();
    if (result.done) throw new Error(`stream ended after ${out.length} of ${count} events`);
    out.push(result.value);
  }
  return out;
}

/** Pulls events until `until` matches one (included). */
export async function takeUntil<T>(iterator: AsyncIterator<T>, until: (event: T) => boolean): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const result = await iterator.next();
    if (result.done) throw new Error(`stream ended after ${out.length} events`);
    out.push(result.value);
    if (until(result.value)) return out;
  }
}

/** Seqs of the entry events, in order. */
export const seqsOf = (events: ThreadEntriesEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'entry' ? [e.entry.seq] : []));

/** [from, from+1, …, to-1]. */
export const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** A small deterministic PRNG (mulberry32), so failures can be replayed from the seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Resolves once `holds()` is true: checked now and at each wake of `subscription` (the live layer
 * wakes a subscription whenever it queues something for it), so a test waits on that event rather
 * than on time or on a number of event-loop turns. The wake is wrapped only while waiting.
 */
export function whenWoken(subscription: { wake(): void }, holds: () => boolean): Promise<void> {
  if (holds()) return Promise.resolve();
  return new Promise((resolve) => {
    const target = subscription as { wake(): void };
    const original = target.wake;
    target.wake = function (this: unknown) {
      original.call(this);
      if (!holds()) return;
      delete (target as Partial<{ wake(): void }>).wake;
      resolve();
    };
  });
}
