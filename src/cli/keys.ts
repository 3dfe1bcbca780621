import { issueApiKey } from '../auth/issue-api-key.js';
import type { ApiKeyRecord } from '../domain/api-key.js';
import { ValidationError } from '../domain/errors.js';
import { apiKeys } from '../ops/export-store.js';
import { parseCommandArgs } from './args.js';
import { withStore } from './open-store.js';
import { UsageError } from './usage-error.js';

export const KEYS_USAGE = `usage: cryo keys create --storage URL --namespace N --scopes read,write,admin,metrics [--label TEXT] [--expires-in SECONDS]
       cryo keys list   --storage URL --namespace N [--format table|json]
       cryo keys revoke --storage URL --namespace N --id KEY_ID

Manages API keys straight in the storage, without a server (the first admin key; recovery).
create prints the secret once (it is never stored), then what it grants.
list prints every key of the namespace (never secrets or hashes), revoked and expired ones too.
revoke marks the key revoked; servers sharing the storage (Redis, PostgreSQL) drop it at once.
The embedded stores (sqlite:, file:) are locked by a running server: use the GraphQL API there
(apiKeys, revokeApiKey) or stop the server first.
--storage falls back to CRYO_STORAGE; --storage-module M (or CRYO_STORAGE_MODULE) opens URLs of
other schemes (docs/adapters.md).
Exit codes: 0 done, 1 failed (storage error; revoke: no such key, or already revoked), 2 usage.`;

/** `cryo keys create` options, parsed. */
export interface KeysCreateOptions {
  storage: string;
  /** The storage module for URLs of other schemes (--storage-module / CRYO_STORAGE_MODULE). */
  storageModule?: string | null;
  namespace: string;
  scopes: string[];
  label: string | null;
  expiresInSeconds: number | null;
}

/** Parses the arguments of `keys create`. Throws UsageError for a missing or malformed one. */
export function parseKeysCreate(argv: readonly string[], env: Record<string, string | undefined>): KeysCreateOptions {
  const args = parseCommandArgs(argv, env, ['scopes', 'label', 'expires-in'], KEYS_USAGE);
  const namespace = singleNamespace(args.namespaces);
  if (args.scopes === null) throw new UsageError(`--scopes is required\n${KEYS_USAGE}`);
  const expires = args['expires-in'];
  if (expires !== null && !/^\d+$/.test(expires)) throw new UsageError(`--expires-in must be a number of seconds\n${KEYS_USAGE}`);
  return {
    storage: args.storage,
    storageModule: args.storageModule,
    namespace,
    scopes: args.scopes.split(',').map((s) => s.trim()).filter(Boolean),
    label: args.label,
    expiresInSeconds: expires === null ? null : Number(expires),
  };
}

function singleNamespace(namespaces: readonly string[]): string {
  if (namespaces.length !== 1) throw new UsageError(`--namespace N is required, once\n${KEYS_USAGE}`);
  return namespaces[0]!;
}

/**
 * Creates an API key straight in the storage (no server needed: the first admin key) and returns
 * the lines to print: the secret (shown once, never stored), then what it grants.
 */
export async function keysCreate(options: KeysCreateOptions): Promise<string> {
  return withStore(options, async (storage) => {
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
    }
  });
}

/** A key's status at `now`: active, expired or revoked. */
export function keyStatus(key: ApiKeyRecord, now: Date): 'active' | 'expired' | 'revoked' {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}

/** The lines `keys list` prints: a table (header first) or one JSON object per key; never a hash. */
export function formatKeys(keys: readonly ApiKeyRecord[], format: 'table' | 'json', now: Date): string[] {
  const rows = keys.map((k) => ({
    id: k.id,
    status: keyStatus(k, now),
    scopes: k.scopes.join(','),
    label: k.label,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
  }));
  if (format === 'json') return rows.map((r) => JSON.stringify(r));
  const table = [['ID', 'STATUS', 'SCOPES', 'CREATED', 'EXPIRES', 'LABEL'], ...rows.map((r) => [r.id, r.status, r.scopes, r.createdAt, r.expiresAt ?? '-', r.label ?? ''])];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/** `cryo keys create|list|revoke …`: manages API keys in the storage (no server needed). */
export async function runKeys(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    process.stdout.write(`${KEYS_USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'create') {
    console.log(await keysCreate(parseKeysCreate(rest, env)));
    return 0;
  }
  if (sub === 'list') {
    const args = parseCommandArgs(rest, env, ['format'], KEYS_USAGE);
    const namespace = singleNamespace(args.namespaces);
    const format = args.format ?? 'table';
    if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json\n${KEYS_USAGE}`);
    const keys: ApiKeyRecord[] = [];
    await withStore(args, async (storage) => {
      for await (const key of apiKeys(storage, namespace)) keys.push(key);
    });
    const lines = formatKeys(keys, format, new Date());
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  if (sub === 'revoke') {
    const args = parseCommandArgs(rest, env, ['id'], KEYS_USAGE);
    const namespace = singleNamespace(args.namespaces);
    if (args.id === null) throw new UsageError(`--id KEY_ID is required\n${KEYS_USAGE}`);
    const id = args.id;
    const revoked = await withStore(args, (storage) => storage.revokeApiKey({ namespace, id }));
    if (!revoked) {
      process.stderr.write(`cryo: no active key ${JSON.stringify(id)} in namespace ${JSON.stringify(namespace)} (unknown, or already revoked)\n`);
      return 1;
    }
    process.stdout.write(`revoked ${id}\n`);
    return 0;
  }
  throw new UsageError(`unknown keys command ${JSON.stringify(sub)}\n${KEYS_USAGE}`);
}
