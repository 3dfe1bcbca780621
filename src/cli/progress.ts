import { SingleBar } from 'cli-progress';

/** Reports progress of a long command on stderr. */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar (cli-progress: entries/s, ETA) when stderr is a terminal; otherwise one plain
 * line every `everyMs` (CRYO_PROGRESS_INTERVAL_MS, default 5 s; and one at the end), so logs of a
 * batch job stay readable. Never writes
 * to stdout (which may carry an export).
 */
export function createProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  everyMs = Number(process.env['CRYO_PROGRESS_INTERVAL_MS'] ?? 5000),
): Progress {
  const started = Date.now();
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} entries | {speed} entries/s | ETA {eta_formatted}`,
      etaBuffer: 50,
      hideCursor: true,
    });
    let started_ = false;
    return {
      update(done, total) {
        const speed = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
        if (!started_) {
          bar.start(total, done, { speed });
          started_ = true;
        } else {
          bar.setTotal(total);
          bar.update(done, { speed });
        }
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let latest: [number, number] = [0, 0];
  const line = () => {
    const [done, total] = latest;
    const seconds = (Date.now() - started) / 1000;
    stream.write(`${label}: ${done}/${total} entries, ${Math.round(done / Math.max(seconds, 0.001))} entries/s, ${seconds.toFixed(1)} s\n`);
  };
  return {
    update(done, total) {
      latest = [done, total];
      if (Date.now() - last >= everyMs) {
        last = Date.now();
        line();
      }
    },
    stop: line,
  };
}
