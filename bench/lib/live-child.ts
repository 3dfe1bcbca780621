/**
 * Child-process entry for the live benchmark: runs `benchLive` in a fresh process (so its heap
 * figure is not skewed by garbage from the other sections) and prints its result as one JSON line
 * on stdout; progress goes to stderr. Args: `--quick` and the flags of bench/live.ts (`liveArgs`),
 * which win over the quick defaults.
 */
import { benchLive, liveArgs } from '../live.js';

const args = liveArgs(process.argv.slice(2));
const defined = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
const result = await benchLive({
  ...(args.quick ? { subscribers: 250, latencySeconds: 2, burstEntries: 30 } : {}),
  ...defined,
  log: (line) => console.error(line),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
