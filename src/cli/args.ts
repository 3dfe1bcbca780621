import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

/** The options every storage command takes. */
export interface StorageArgs {
  storage: string;
  /** --storage-module, else CRYO_STORAGE_MODULE: opens URLs of other schemes (docs/adapters.md); null: none. */
  storageModule: string | null;
  /** --namespace, repeatable; empty: every namespace. */
  namespaces: string[];
  help: boolean;
}

/**
 * Parses `--name value` / `--name=value` flags of a command (node:util parseArgs, strict: an
 * unknown flag or a missing value is a UsageError naming it). `--storage` falls back to
 * CRYO_STORAGE, `--storage-module` to CRYO_STORAGE_MODULE. Positional arguments are refused.
 */
export function parseCommandArgs<K extends string>(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  extra: readonly K[],
  usage: string,
): StorageArgs & Record<K, string | null> {
  let values: Record<string, unknown>;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
      storage: { type: 'string' },
      'storage-module': { type: 'string' },
      namespace: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    };
    for (const name of extra) options[name] = { type: 'string' };
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}\n${usage}`);
  }
  const result = {
    storage: (values['storage'] as string | undefined) ?? env['CRYO_STORAGE'] ?? '',
    storageModule: (values['storage-module'] as string | undefined) || env['CRYO_STORAGE_MODULE'] || null,
    namespaces: (values['namespace'] as string[] | undefined) ?? [],
    help: values['help'] === true,
  } as StorageArgs & Record<K, string | null>;
  for (const name of extra) (result as Record<string, unknown>)[name] = (values[name] as string | undefined) ?? null;
  if (!result.help && result.storage === '') throw new UsageError(`--storage URL is required (or set CRYO_STORAGE)\n${usage}`);
  return result;
}
