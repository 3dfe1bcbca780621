import { Counter, Gauge } from 'prom-client';
import type { Storage } from '../storage/types.js';
import type { CryoMetrics } from './registry.js';

/** What the file adapter counts (FileStorage.stats()). */
interface FileStats {
  appends: number;
  rounds: number;
  syncCalls: number;
}

/**
 * Adds the file adapter's durability series, read from `stats()` at each scrape:
 * `cryo_file_appends_total`, `cryo_file_flush_rounds_total`, `cryo_file_fsyncs_total` and
 * `cryo_file_appends_per_fsync` (appends over fsync calls since the previous scrape; 0 when
 * there was no fsync). Does nothing for other adapters. Rates over time come from the counters
 * (`rate(cryo_file_appends_total[5m]) / rate(cryo_file_fsyncs_total[5m])`).
 */
export function watchFileStorage(storage: Storage, metrics: CryoMetrics): void {
  const source = storage as Storage & { stats?: () => Partial<FileStats> };
  if (storage.kind !== 'file' || typeof source.stats !== 'function') return;
  const read = (): FileStats => {
    const stats = source.stats!();
    return { appends: stats.appends ?? 0, rounds: stats.rounds ?? 0, syncCalls: stats.syncCalls ?? 0 };
  };
  const registers = [metrics.registry];
  const counter = (name: string, help: string, pick: (s: FileStats) => number) => {
    let last = 0;
    return new Counter({
      name,
      help,
      registers,
      collect() {
        const now = pick(read());
        if (now > last) this.inc(now - last);
        last = now;
      },
    });
  };
  counter('cryo_file_appends_total', 'Appends the file adapter acknowledged (durable).', (s) => s.appends);
  counter('cryo_file_flush_rounds_total', 'Group-commit flush rounds of the file adapter.', (s) => s.rounds);
  counter('cryo_file_fsyncs_total', 'fsync/fdatasync calls the file adapter issued.', (s) => s.syncCalls);
  let previous = read();
  new Gauge({
    name: 'cryo_file_appends_per_fsync',
    help: 'Appends acknowledged per fsync call since the previous scrape (group commit efficiency).',
    registers,
    collect() {
      const now = read();
      const syncs = now.syncCalls - previous.syncCalls;
      this.set(syncs > 0 ? (now.appends - previous.appends) / syncs : 0);
      previous = now;
    },
  });
}
