/**
 * Candidate layouts of the sqlite adapter's `entries` table, measured with better-sqlite3 alone
 * (no adapter, no worker; synchronous=OFF, so the figures are of space, not of durable appends):
 * for each layout and payload size, rows of the adapter's columns (a UUID id, time, kind, payload
 * JSON, refs, CRC) inserted 100 per transaction into one thread until `MB` MiB of payload JSON;
 * the file after close divided by the payload bytes; readTail-like reads of the last 50 rows.
 * The adapter-level rows are in bench/lib/sqlite-entry-space.ts. See src/storage/sqlite/README.md,
 * "Entries layout".
 *
 *   MB=50 node bench/sqlite-entry-layouts.mjs [layouts,comma-separated] [sizes,comma-separated]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const TOTAL = Number(process.env.MB ?? 50) * 2 ** 20;
const COLUMNS = 'tid INTEGER NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, refs TEXT NOT NULL, crc INTEGER NOT NULL';
const WITHOUT_ROWID = `CREATE TABLE entries (${COLUMNS}, PRIMARY KEY (tid, seq)) WITHOUT ROWID`;
const ROWID = `CREATE TABLE entries (${COLUMNS}); CREATE UNIQUE INDEX entries_by_seq ON entries (tid, seq)`;
const LAYOUTS = {
  'without-rowid-4k': { page: 4096, ddl: WITHOUT_ROWID },
  'without-rowid-16k': { page: 16384, ddl: WITHOUT_ROWID },
  'rowid-4k': { page: 4096, ddl: ROWID },
  'rowid-8k': { page: 8192, ddl: ROWID },
};
const names = (process.argv[2] ?? Object.keys(LAYOUTS).join(',')).split(',');
const sizes = (process.argv[3] ?? '100,1000,4000').split(',').map(Number);

for (const name of names) {
  const layout = LAYOUTS[/** @type {keyof typeof LAYOUTS} */ (name)];
  if (!layout) throw new Error(`unknown layout ${name}: ${Object.keys(LAYOUTS).join(', ')}`);
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'cryo-bench-layouts-'));
    const path = join(dir, 'x.db');
    try {
      const db = new Database(path);
      db.pragma(`page_size = ${layout.page}`);
      db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      db.exec(layout.ddl);
      const insert = db.prepare('INSERT INTO entries (tid, seq, id, at, kind, payload, refs, crc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const payload = JSON.stringify({ pad: 'x'.repeat(size - 10) });
      const rows = Math.ceil(TOTAL / payload.length);
      const insertSome = db.transaction((/** @type {number} */ from) => {
        for (let seq = from; seq < Math.min(rows, from + 100); seq++) insert.run(1, seq, randomUUID(), Date.now(), 'event', payload, '[]', 12345678);
      });
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      for (let from = 0; from < rows; from += 100) insertSome(from);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const tail = db.prepare('SELECT seq, id, at, kind, payload, refs, crc FROM entries WHERE tid = ? AND seq >= ? ORDER BY seq LIMIT ?');
      const r0 = performance.now();
      for (let i = 0; i < 1000; i++) tail.all(1, rows - 50, 50);
      const tailUs = performance.now() - r0; // 1000 reads: ms total = µs each
      db.close();
      const bytes = statSync(path).size;
      console.log(
        `${name} payload ${payload.length} B × ${rows}: file ${(bytes / 2 ** 20).toFixed(1)} MiB = ${(bytes / (rows * payload.length)).toFixed(2)}× payload; ` +
          `${((rows / ms) * 1000).toFixed(0)} rows/s, CPU ${((cpu.user + cpu.system) / rows).toFixed(1)} µs/row; tail(50) ${tailUs.toFixed(0)} µs`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
