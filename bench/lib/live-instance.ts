/**
 * Child-process entry of bench/live.ts for the extra server instances of a scale-out run: one
 * Cryo server on `--storage URL` (a shared backend), production settings, fair-use caps lifted
 * to `--subscribers N`. Prints `{ "url": … }` on stdout once listening; stops when its parent
 * disconnects or sends SIGTERM. A process of its own, as in a deployment: instances in one
 * process would share one event loop, and one instance's fan-out would stall the other's
 * storage calls into timeouts.
 */
import { buildApp } from '../../src/app.js';
import { defineConfig } from '../../src/config.js';

const value = (flag: string): string | undefined => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const storage = value('--storage') ?? 'memory:';
const subscribers = Number(value('--subscribers') ?? 1000);
const auth = { maxSocketsPerClient: subscribers, maxSubscriptionsPerClient: subscribers };
const app = await buildApp(defineConfig({ port: 0, storage, production: true, logLevel: 'silent', shutdownGraceMs: 1000, auth }), {
  dashboardDir: null,
  operationsDir: null,
});
const { url } = await app.start();
process.stdout.write(`${JSON.stringify({ url })}\n`);
const stop = () => void app.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
