import { CryoError } from '../domain/errors.js';
import type { Storage } from '../storage/types.js';
import { checkpoints, threadHeads, type ProgressListener } from './export-store.js';
import { listNamespaces } from './list-namespaces.js';

/** One finding of {@link verifyStore}. */
export interface Finding {
  /** problem: something is wrong (exit 1); notice: worth knowing, not wrong. */
  level: 'problem' | 'notice';
  /** e.g. `default/thread/t1`, `default/checkpoint/planner/a1`, `file/journals/…`. */
  subject: string;
  message: string;
}

/** Options of {@link verifyStore}. */
export interface VerifyOptions {
  /** Only these namespaces; null or empty: every namespace the storage lists. */
  namespaces: readonly string[] | null;
  pageSize?: number;
  onProgress?: ProgressListener;
}

/** What verify looked at and found. */
export interface VerifyReport {
  threads: number;
  entries: number;
  checkpoints: number;
  findings: Finding[];
}

/**
 * Checks a storage end to end: what opening it found (the file adapter checks every record's
 * checksum when it opens and reports cut tails and damaged files), then every thread read in
 * full (entries contiguous from its firstSeq up to its head's rev, each naming the thread: the
 * Redis and Postgres heads against their stored entries) and every checkpoint's pointer (the
 * thread missing, its journal behind the pointer or trimmed past it, another life of the thread; a journal ahead of
 * the pointer is a notice: entries appended since the checkpoint, which thaw replays). Reads only.
 * Does NOT repair anything and does NOT catch a write racing the scan (run it on a quiet store).
 */
export async function verifyStore(storage: Storage, options: VerifyOptions): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 1000;
  const report: VerifyReport = { threads: 0, entries: 0, checkpoints: 0, findings: [] };
  const problem = (subject: string, message: string) => report.findings.push({ level: 'problem', subject, message });
  openingFindings(storage, problem);
  const namespaces = await listNamespaces(storage, options.namespaces);
  let total = 0;
  for (const namespace of namespaces) for await (const head of threadHeads(storage, namespace)) total += head.rev - head.firstSeq;
  for (const namespace of namespaces) {
    for await (const listed of threadHeads(storage, namespace)) {
      const subject = `${namespace}/thread/${listed.id}`;
      report.threads++;
      try {
        const head = await storage.getThread({ namespace, threadId: listed.id });
        if (!head) continue;
        let seq = head.firstSeq;
        for (;;) {
          const entries = await storage.readEntries({ namespace, threadId: head.id, fromSeq: seq, limit: pageSize });
          for (const entry of entries) {
            if (entry.seq !== seq) {
              problem(subject, `entry seq ${entry.seq} where ${seq} was expected (a gap or a duplicate)`);
              seq = entry.seq;
            }
            if (entry.threadId !== head.id) problem(subject, `entry seq ${entry.seq} names thread ${JSON.stringify(entry.threadId)}`);
            seq++;
          }
          report.entries += entries.length;
          options.onProgress?.(report.entries, Math.max(total, report.entries));
          if (entries.length < pageSize) break;
        }
        if (seq !== head.rev) {
          const from = head.firstSeq > 0 ? ` from seq ${head.firstSeq}` : '';
          problem(subject, `the head says rev ${head.rev} but ${seq - head.firstSeq} entries are stored${from}`);
        }
      } catch (error) {
        if (!(error instanceof CryoError) || error.code === 'STORAGE_UNAVAILABLE') throw error;
        problem(subject, `${error.code}: ${error.message}`);
      }
    }
    for await (const checkpoint of checkpoints(storage, namespace)) {
      report.checkpoints++;
      const pointer = checkpoint.thread;
      if (!pointer) continue;
      const subject = `${namespace}/checkpoint/${checkpoint.agentType}/${checkpoint.agentId}`;
      const head = await storage.getThread({ namespace, threadId: pointer.id });
      if (!head) problem(subject, `points at thread ${JSON.stringify(pointer.id)}, which is missing`);
      else if (pointer.life !== undefined && pointer.life !== head.life) {
        problem(subject, `points at another life of thread ${JSON.stringify(pointer.id)} (deleted and re-created since)`);
      } else if (pointer.rev < head.firstSeq) {
        problem(subject, `points at rev ${pointer.rev} of thread ${JSON.stringify(pointer.id)}, which is trimmed from seq ${head.firstSeq} on: the entries after the pointer are gone`);
      } else if (head.rev < pointer.rev) {
        problem(subject, `points at rev ${pointer.rev} of thread ${JSON.stringify(pointer.id)}, whose journal is behind (rev ${head.rev})`);
      } else if (head.rev > pointer.rev) {
        report.findings.push({
          level: 'notice',
          subject,
          message: `thread ${JSON.stringify(pointer.id)} is ahead of the pointer by ${head.rev - pointer.rev} entries (appended since the checkpoint)`,
        });
      }
    }
  }
  return report;
}

/** The file adapter's recovery report: damaged files are problems (cut tails were repaired). */
function openingFindings(storage: Storage, problem: (subject: string, message: string) => void): void {
  const recovery = (storage as Storage & { recovery?: { corrupted?: { file?: string; reason?: string; message?: string }[] } }).recovery;
  for (const damaged of recovery?.corrupted ?? []) {
    problem(`file/${damaged.file ?? '?'}`, damaged.reason ?? damaged.message ?? 'damaged');
  }
}
