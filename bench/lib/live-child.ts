/**
 * Child-process entry for the live benchmark: runs `benchLive` in a fresh process (so its heap
 * figure is not skewed by garbage from the other sections) and prints its result as one JSON line
 * on stdout; progress goes to stderr. Args: `--quick`.
 */
import { benchLive } from '../live.js';

const quick = process.argv.includes('--quick');
const result = await benchLive({
  quick,
  ...(quick ? { subscribers: 250, latencySeconds: 2, burstEntries: 30 } : {}),
  log: (line) => console.error(line),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
