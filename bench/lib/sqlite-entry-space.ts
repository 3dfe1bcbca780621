/**
 * Bytes on disk per byte of entries on the sqlite adapter: a journal of `journalBytes` of entries
 * of one size (~100 B, ~1 KB, ~4 KB of payload JSON), appended 100 at a time to one thread of a
 * fresh store; the database file after a clean close (WAL checkpointed and removed) divided by the
 * payload JSON bytes appended. Also the tail read (readTail 50) on the full store, median of 200.
 *
 * Does NOT measure stores created before the rowid entries layout (see
 * src/storage/sqlite/README.md, "Layout"): those keep their WITHOUT ROWID table (~4.5× for 1 KB).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { median } from './stats.js';
import { fmt, type Row } from './table.js';

/** Payload JSON sizes measured; the 1 KB one carries the target (≤ 1.5× the payload). */
export const ENTRY_SIZES = [100, 1_000, 4_000] as const;
const SECTION = 'Embedded';
const TARGET_SIZE = 1_000;
const BATCH = 100;
const TAIL_READS = 200;

/** Figures for one entry size. */
export interface EntrySpaceFigures {
  payloadBytes: number;
  entries: number;
  fileBytes: number;
  /** readTail(50) on the full store, median ms. */
  tailMs: number;
  layout: string;
}

/** Measures every size of {@link ENTRY_SIZES} and returns one row each. */
export async function benchSqliteEntrySpace(journalBytes: number, log: (line: string) => void = () => {}): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of ENTRY_SIZES) {
    log(`  sqlite entry space: ${fmt(journalBytes / 2 ** 20)} MiB of ~${fmt(size)} B entries`);
    const f = await entrySpace(size, journalBytes);
    rows.push({
      section: SECTION,
      name: `db file per MB of ~${fmt(size)} B entries, sqlite`,
      value: f.fileBytes / 2 ** 20,
      unit: 'MiB',
      baseline: { name: 'MiB of payload JSON appended', value: f.payloadBytes / 2 ** 20 },
      ...(size === TARGET_SIZE ? { target: { on: 'ratio' as const, kind: 'max' as const, bound: 1.5 } } : {}),
      note:
        `${fmt(f.entries)} entries of ${fmt(f.payloadBytes / f.entries)} B payload JSON, one thread, ${BATCH} per append; ` +
        `entries layout ${f.layout}; file bytes after a clean close; readTail(50) ${fmt(f.tailMs)} ms (median of ${TAIL_READS})`,
    });
  }
  return rows;
}

async function entrySpace(size: number, journalBytes: number): Promise<EntrySpaceFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'cryo-bench-sqlite-space-'));
  const path = join(dir, 'cryo.db');
  try {
    const payload = { pad: 'x'.repeat(size - 10) }; // {"pad":"…"}: size bytes of JSON
    const payloadLength = JSON.stringify(payload).length;
    const entries = Math.ceil(journalBytes / payloadLength);
    const storage = await createSqliteStorage({ path });
    for (let written = 0; written < entries; written += BATCH) {
      const n = Math.min(BATCH, entries - written);
      await storage.appendEntries({ threadId: 'space', entries: Array.from({ length: n }, () => ({ payload })) });
    }
    const tail: number[] = [];
    for (let i = 0; i < TAIL_READS; i++) {
      const t0 = performance.now();
      const read = await storage.readTail({ threadId: 'space', limit: 50 });
      tail.push(performance.now() - t0);
      if (read.entries.length !== 50) throw new Error(`readTail returned ${read.entries.length} entries`);
    }
    const { entriesLayout } = await storage.stats();
    await storage.close();
    const fileBytes = (await stat(path)).size;
    return { payloadBytes: entries * payloadLength, entries, fileBytes, tailMs: median(tail), layout: entriesLayout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
