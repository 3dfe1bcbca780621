/**
 * The `cryo` command (package.json "bin", see bin/cryo.mjs): one file per command in this folder.
 * Exit codes: 0 done, 1 failed or found problems, 2 a usage mistake (one line on stderr).
 * `keys create|list|revoke` manage API keys without a server (the first admin key, recovery).
 */
import { runExport } from './export.js';
import { runImport } from './import.js';
import { runKeys } from './keys.js';
import { runServe } from './serve.js';
import { UsageError } from './usage-error.js';
import { runVerify } from './verify.js';

type Command = (argv: readonly string[], env: Record<string, string | undefined>) => Promise<number | null>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  serve: { run: (argv) => runServe(argv), summary: 'run the server (what npm start runs)' },
  export: { run: runExport, summary: 'write a store as NDJSON (backup, move between adapters)' },
  import: { run: runImport, summary: 'load an export into any store (idempotent)' },
  verify: { run: runVerify, summary: "check a store's integrity and every checkpoint's pointer" },
  keys: { run: runKeys, summary: 'keys create|list|revoke: manage API keys in the storage, no server needed' },
};

const HELP = `usage: cryo <command> [options]   (cryo <command> --help for its options)

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}`;

async function main(argv: string[]): Promise<number | null> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}\n${HELP}`);
  return command.run(rest, process.env);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`cryo: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`cryo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
