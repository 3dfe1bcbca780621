/**
 * `npm start`: the only place that reads the environment, argv and signals. `--help` prints the
 * settings. Parses the config (a bad setting: one clear line on stderr, exit code 2), starts the
 * app (a taken port or a locked store: one line on stderr, exit code 1; a storage module that is
 * missing or of the wrong shape: exit code 2, one that fails to load or open: 1), prints one line with
 * the URL it serves, and on SIGTERM/SIGINT drains gracefully (a second signal exits at once).
 */
import { buildApp } from './app.js';
import { ConfigError, parseConfig, settingsHelp, wantsHelp } from './config.js';
import { StorageModuleError } from './storage/storage-module.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(settingsHelp());
    return;
  }
  let config;
  try {
    config = parseConfig(process.env, argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`cryo: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const app = await buildApp(config);
  const { url } = await app.start();
  // A storage URL may carry a password (postgres://user:pw@…, redis://:pw@…): never print it.
  const storage = config.storage.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
  console.log(`Cryo listening on ${url} (GraphQL at ${url}graphql, storage ${storage})`);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(1);
    app.logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  if (error instanceof StorageModuleError) {
    // CRYO_STORAGE_MODULE names nothing usable (2) or the module failed (1): one line, no stack.
    console.error(`cryo: ${error.message}`);
    process.exit(error.exitCode);
  }
  console.error(`cryo: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
