import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The headless browser the browser tests launch (Debian's chromium package). */
const CHROMIUM = '/usr/bin/chromium';

/** Binaries the suite runs, with the Debian package that provides each. */
function missingPackages(): string[] {
  const missing: string[] = [];
  const runs = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
  // With REDIS_URL the Redis tests use that server and skip the ones needing their own.
  if (process.env.REDIS_URL === undefined) {
    if (!runs('redis-server')) missing.push('redis-server');
    if (!runs('redis-cli')) missing.push('redis-tools');
  }
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  return missing;
}

/**
 * Vitest global setup: before any test file runs, checks that the programs the suite starts
 * (redis-server and redis-cli for the Redis tests, chromium for the browser tests) are installed,
 * and otherwise stops the run at once with one line naming the packages to install, instead of
 * failures deep in the run. It does NOT install anything (`.ci/run` does, as root with apt).
 */
export default function requireTools(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  process.stderr.write(
    `cryo tests need ${missing.join(', ')}: run \`sudo apt-get install -y ${missing.join(' ')}\` (or .ci/run as root, which installs them), then npm test again\n`,
  );
  process.exit(1);
}
