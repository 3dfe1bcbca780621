import { LIMIT_SETTINGS, QUERY_LIMIT_SETTINGS, SERVER_SETTINGS } from '../config.js';

export const SERVE_USAGE = `usage: cryo serve [--flag value …]

Runs the server (what npm start runs). Every setting is a flag or an environment variable
(a flag wins); a bad one is one line on stderr and exit code 2.`;

/** `cryo serve`: hands the remaining arguments to the server entry (src/main.ts). */
export async function runServe(argv: readonly string[]): Promise<number | null> {
  if (argv.includes('--help') || argv.includes('-h')) {
    const rows = [
      ...Object.values(SERVER_SETTINGS).map((s) => [s.flag, s.env, '']),
      ...[...LIMIT_SETTINGS, ...QUERY_LIMIT_SETTINGS].map((s) => [s.flag, s.env, s.help]),
    ];
    process.stdout.write(`${SERVE_USAGE}\n\n${rows.map(([flag, env, help]) => `  ${flag!.padEnd(28)} ${env!.padEnd(30)} ${help}`.trimEnd()).join('\n')}\n`);
    return 0;
  }
  process.argv = [process.argv[0]!, process.argv[1]!, ...argv];
  await import('../main.js');
  return null;
}
