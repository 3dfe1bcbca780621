import { settingsHelp } from '../config.js';

export const SERVE_USAGE = `usage: cryo serve [--flag value …]

Runs the server (what npm start runs). A bad setting is one line on stderr and exit code 2.`;

/** `cryo serve`: hands the remaining arguments to the server entry (src/main.ts); null: it keeps running. */
export async function runServe(argv: readonly string[]): Promise<number | null> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${SERVE_USAGE}\n\n${settingsHelp()}`);
    return 0;
  }
  process.argv = [process.argv[0]!, process.argv[1]!, ...argv];
  await import('../main.js');
  return null;
}
