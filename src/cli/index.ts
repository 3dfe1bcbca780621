/**
 * The `cryo` command. `cryo serve [settings]` runs the server (as `npm start`);
 * `cryo keys create --storage URL --namespace N --scopes read,write,admin` creates an API key in
 * the storage without a server and prints its secret once. Mistakes: one line on stderr, exit 2.
 */
import { keysCreate, parseKeysCreate, UsageError } from './keys.js';

const HELP = `usage:
  cryo serve [--storage URL] [--port N] [--host H] [...]   run the server
  cryo keys create --storage URL --namespace N --scopes read,write,admin [--label TEXT] [--expires-in SECONDS]`;

async function run(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (command === 'serve') {
    process.argv.splice(2, 1);
    await import('../main.js');
    return;
  }
  if (command === 'keys' && sub === 'create') {
    console.log(await keysCreate(parseKeysCreate(rest, process.env)));
    return;
  }
  throw new UsageError(HELP);
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`cryo: ${error.message}`);
    process.exit(2);
  }
  console.error(`cryo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
