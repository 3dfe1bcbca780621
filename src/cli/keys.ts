import { issueApiKey } from '../auth/issue-api-key.js';
import { ValidationError } from '../domain/errors.js';
import { openStorage } from '../storage/open.js';
import { UsageError } from './usage-error.js';

/** A command-line mistake: printed as one line, exit code 2. */

/** `cryo keys create` options, parsed. */
export interface KeysCreateOptions {
  storage: string;
  namespace: string;
  scopes: string[];
  label: string | null;
  expiresInSeconds: number | null;
}

const USAGE =
  'usage: cryo keys create --storage URL --namespace N --scopes read,write,admin [--label TEXT] [--expires-in SECONDS]';

/** Parses `--flag value` / `--flag=value` arguments of `keys create`. */
export function parseKeysCreate(argv: readonly string[], env: Record<string, string | undefined>): KeysCreateOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!['--storage', '--namespace', '--scopes', '--label', '--expires-in'].includes(name)) throw new UsageError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`${name} needs a value\n${USAGE}`);
    flags.set(name, value);
  }
  const storage = flags.get('--storage') ?? env['CRYO_STORAGE'];
  const namespace = flags.get('--namespace');
  const scopes = flags.get('--scopes');
  if (!storage || !namespace || !scopes) throw new UsageError(USAGE);
  const expires = flags.get('--expires-in');
  if (expires !== undefined && !/^\d+$/.test(expires)) throw new UsageError(`--expires-in must be a number of seconds\n${USAGE}`);
  return {
    storage,
    namespace,
    scopes: scopes.split(',').map((s) => s.trim()).filter(Boolean),
    label: flags.get('--label') ?? null,
    expiresInSeconds: expires === undefined ? null : Number(expires),
  };
}

/**
 * Creates an API key straight in the storage (no server needed: the first admin key) and returns
 * the lines to print: the secret (shown once, never stored), then what it grants.
 */
export async function keysCreate(options: KeysCreateOptions): Promise<string> {
  const storage = await openStorage(options.storage, {});
  try {
    const { record, secret } = await issueApiKey(storage, {
      namespace: options.namespace,
      scopes: options.scopes,
      label: options.label,
      expiresInSeconds: options.expiresInSeconds,
    });
    return [
      secret,
      `# API key ${record.id} for namespace ${JSON.stringify(record.namespace)}, scopes ${record.scopes.join(',')}` +
        `${record.expiresAt ? `, expires ${record.expiresAt}` : ''}. The secret above is shown only once.`,
    ].join('\n');
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(`${error.field ?? 'input'}: ${error.message}`);
    throw error;
  } finally {
    await storage.close();
  }
}

/** `cryo keys create …`: creates an API key in the storage (no server needed) and prints its secret once. */
export async function runKeys(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'create') throw new UsageError(USAGE);
  console.log(await keysCreate(parseKeysCreate(rest, env)));
  return 0;
}
