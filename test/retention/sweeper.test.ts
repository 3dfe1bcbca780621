import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { defineConfig } from '../../src/config.js';
import { StorageUnavailable } from '../../src/domain/errors.js';
import { RetentionSweeper, type Schedule, type SweepOutcome } from '../../src/retention/sweeper.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { SweepRetentionResult } from '../../src/storage/types.js';

/** A schedule the test fires by hand: every pending run with its delay; `armed()` resolves at the next schedule call. */
function manualSchedule(): {
  schedule: Schedule;
  pending: { run: () => void; ms: number; cancelled: boolean }[];
  armed(): Promise<void>;
  fire(): void;
} {
  const pending: { run: () => void; ms: number; cancelled: boolean }[] = [];
  let onArm: (() => void) | null = null;
  return {
    pending,
    schedule: (run, ms) => {
      const item = { run, ms, cancelled: false };
      pending.push(item);
      onArm?.();
      onArm = null;
      return { cancel: () => void (item.cancelled = true) };
    },
    armed: () => new Promise<void>((resolve) => (onArm = resolve)),
    fire() {
      const live = pending.filter((p) => !p.cancelled);
      expect(live).toHaveLength(1);
      pending.length = 0;
      live[0]!.run();
    },
  };
}

/** A logger that keeps what it was told. */
function memoryLogger() {
  const lines: { level: string; fields: object; message: string }[] = [];
  const log = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn') };
}

/** Resolves with the next outcome reported to onSweep. */
function outcomes(): { onSweep: (o: SweepOutcome) => void; next(): Promise<SweepOutcome> } {
  const waiting: ((o: SweepOutcome) => void)[] = [];
  const queued: SweepOutcome[] = [];
  return {
    onSweep: (o) => (waiting.length ? waiting.shift()!(o) : queued.push(o)),
    next: () => (queued.length ? Promise.resolve(queued.shift()!) : new Promise((resolve) => waiting.push(resolve))),
  };
}

const HOUR = 3600 * 1000;
const old = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

describe('RetentionSweeper', () => {
  it('applies maxAgeSeconds on its schedule, never past a checkpoint, and schedules the next sweep only after the previous ended', async () => {
    const storage = createMemoryStorage();
    await storage.appendEntries({
      threadId: 'aged',
      retention: { maxAgeSeconds: 3600 },
      entries: [0, 1, 2, 3, 4].map((h) => ({ id: `a${h}`, at: old(h * HOUR) })),
    });
    await storage.appendEntries({ threadId: 'held', retention: { maxAgeSeconds: 3600 }, entries: [0, 1, 2, 3].map((h) => ({ id: `h${h}`, at: old(h * HOUR) })) });
    await storage.putCheckpoint({ agentType: 'a', agentId: 'x', state: {}, thread: { id: 'held', rev: 1 } });
    const manual = manualSchedule();
    const seen = outcomes();
    const sweeper = new RetentionSweeper({
      storage,
      intervalMs: 60_000,
      logger: memoryLogger(),
      schedule: manual.schedule,
      now: () => new Date(Date.UTC(2026, 0, 1) + 4.5 * HOUR),
      onSweep: seen.onSweep,
    });
    sweeper.start();
    sweeper.start();
    expect(manual.pending.map((p) => p.ms)).toEqual([60_000]);
    manual.fire();
    const first = await seen.next();
    expect(first).toEqual({ ok: true, result: { skipped: false, trimmedThreads: 2, dropped: 5 } });
    expect((await storage.getThread({ threadId: 'aged' }))?.firstSeq).toBe(4);
    expect((await storage.getThread({ threadId: 'held' }))?.firstSeq).toBe(1);
    await sweeper.stop();
    await storage.close();
  });

  it('never overlaps itself: a slow sweep delays the next; sweepNow joins the one in progress', async () => {
    let release!: (r: SweepRetentionResult) => void;
    let calls = 0;
    const storage = {
      sweepRetention: () => {
        calls++;
        return new Promise<SweepRetentionResult>((resolve) => (release = resolve));
      },
    };
    const manual = manualSchedule();
    const seen = outcomes();
    const sweeper = new RetentionSweeper({ storage, intervalMs: 5, logger: memoryLogger(), schedule: manual.schedule, onSweep: seen.onSweep });
    sweeper.start();
    manual.fire();
    const joined = sweeper.sweepNow();
    expect(calls).toBe(1);
    expect(manual.pending).toEqual([]);
    const rearmed = manual.armed();
    release({ skipped: false, trimmedThreads: 0, dropped: 0 });
    expect(await joined).toEqual({ ok: true, result: { skipped: false, trimmedThreads: 0, dropped: 0 } });
    await seen.next();
    // Re-armed only now.
    await rearmed;
    expect(manual.pending.filter((p) => !p.cancelled).map((p) => p.ms)).toEqual([5]);
    await sweeper.stop();
    expect(manual.pending.every((p) => p.cancelled)).toBe(true);
  });

  it('logs a failed sweep and keeps sweeping', async () => {
    let fail = true;
    const storage = {
      sweepRetention: async (): Promise<SweepRetentionResult> => {
        if (fail) throw new StorageUnavailable('redis down');
        return { skipped: true, trimmedThreads: 0, dropped: 0 };
      },
    };
    const logger = memoryLogger();
    const manual = manualSchedule();
    const seen = outcomes();
    const sweeper = new RetentionSweeper({ storage, intervalMs: 1000, logger, schedule: manual.schedule, onSweep: seen.onSweep });
    sweeper.start();
    const rearmed = manual.armed();
    manual.fire();
    const failed = await seen.next();
    expect(failed.ok).toBe(false);
    expect(logger.lines).toEqual([
      { level: 'warn', fields: { err: expect.any(StorageUnavailable), ms: expect.any(Number) }, message: expect.stringContaining('retention sweep failed') },
    ]);
    fail = false;
    await rearmed;
    manual.fire();
    expect(await seen.next()).toEqual({ ok: true, result: { skipped: true, trimmedThreads: 0, dropped: 0 } });
    await sweeper.stop();
  });

  it('stop() waits for the sweep in progress and schedules nothing after it', async () => {
    let release!: () => void;
    const storage = {
      sweepRetention: () =>
        new Promise<SweepRetentionResult>((resolve) => (release = () => resolve({ skipped: false, trimmedThreads: 0, dropped: 0 }))),
    };
    const manual = manualSchedule();
    const sweeper = new RetentionSweeper({ storage, intervalMs: 1000, logger: memoryLogger(), schedule: manual.schedule });
    sweeper.start();
    manual.fire();
    let stopped = false;
    const stopping = sweeper.stop().then(() => (stopped = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(manual.pending).toEqual([]);
    await sweeper.stop();
  });

  it('refuses a non-positive interval', () => {
    expect(() => new RetentionSweeper({ storage: createMemoryStorage(), intervalMs: 0, logger: memoryLogger() })).toThrow(RangeError);
  });
});

describe('the app runs the sweeper', () => {
  let app: App | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('every CRYO_RETENTION_SWEEP_SECONDS from start() to stop(); none with 0', async () => {
    const storage = createMemoryStorage();
    await storage.appendEntries({ threadId: 't', retention: { maxAgeSeconds: 60 }, entries: [{ id: 'old', at: old(0) }, { id: 'new' }] });
    const manual = manualSchedule();
    app = await buildApp(defineConfig({ port: 0, logLevel: 'silent', storage: 'memory:', retentionSweepSeconds: 7 }), {
      storage,
      dashboardDir: null,
      operationsDir: null,
      retentionSchedule: manual.schedule,
    });
    expect(manual.pending).toEqual([]);
    await app.start();
    expect(manual.pending.map((p) => p.ms)).toEqual([7000]);
    expect(await app.retention!.sweepNow()).toEqual({ ok: true, result: { skipped: false, trimmedThreads: 1, dropped: 1 } });
    expect((await storage.getThread({ threadId: 't' }))?.firstSeq).toBe(1);
    expect(await app.retention!.sweepNow()).toEqual({ ok: true, result: { skipped: false, trimmedThreads: 0, dropped: 0 } });
    const sample = async (name: string) => (await app!.metrics!.registry.getSingleMetricAsString(name)).split('\n').filter((l) => l.startsWith(name));
    expect(await sample('cryo_retention_sweeps_total')).toEqual(['cryo_retention_sweeps_total{outcome="done"} 2']);
    expect(await sample('cryo_retention_swept_entries_total')).toEqual(['cryo_retention_swept_entries_total 1']);
    await app.stop();
    expect(manual.pending.every((p) => p.cancelled)).toBe(true);

    const off = await buildApp(defineConfig({ port: 0, logLevel: 'silent', storage: 'memory:', retentionSweepSeconds: 0 }), {
      storage,
      dashboardDir: null,
      operationsDir: null,
      retentionSchedule: manual.schedule,
    });
    expect(off.retention).toBeNull();
    await off.stop();
    await storage.close();
  });
});
