import { fileURLToPath } from 'node:url';
import { ValidationError } from '../domain/errors.js';
import { redactStorageUrl as redact, storageUrlScheme } from './url-scheme.js';

/** Where a storage URL points. `path` of a file store is as given (relative paths resolve against the cwd). */
export type StorageLocation =
  | { kind: 'memory' }
  | { kind: 'file'; path: string }
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'redis';
      /** The URL as given (for a cluster: the `redis+cluster://` form). */
      url: string;
      cluster: boolean;
      /** One `redis://` / `rediss://` URL per node: the URL itself, or each cluster seed node. */
      nodes: string[];
    }
  | {
      kind: 'postgres';
      /** The URL as given (pg reads `sslmode` from it; the adapter removes `schema`). */
      url: string;
      /** The `?schema=` parameter, or null (the adapter's default, "cryo"). */
      schema: string | null;
    };

const USAGE =
  'use memory:, sqlite:<file> (e.g. sqlite:./data/cryo.db), file:<path> (e.g. file:./data, file:/var/lib/cryo), ' +
  'redis://host:port[/db], rediss://…, redis+cluster://host:port,host:port, ' +
  'postgres://user@host:port/database[?sslmode=require&schema=cryo]';

/**
 * Parses a storage URL (`CRYO_STORAGE` / `--storage`). Accepts `memory:`,
 * `file:./relative`, `file:/absolute`, `file:///absolute` (a data directory), the same forms
 * with `sqlite:` (a database file, e.g. `sqlite:./data/cryo.db`), `redis://…`, `rediss://…`,
 * `redis+cluster://host:port,host:port` (`rediss+cluster://` for TLS), `postgres://…` and
 * `postgresql://…` (TLS via `sslmode`, deployment schema via `schema`). Throws ValidationError
 * (field "storage") for anything else; passwords never appear in its message. Checks syntax only:
 * it does not touch the file system or the network.
 */
export function parseStorageUrl(url: string): StorageLocation {
  if (typeof url !== 'string' || url.trim() === '') throw invalid('must not be empty');
  const value = url.trim();
  const scheme = storageUrlScheme(value);
  switch (scheme) {
    case 'memory':
      if (!/^memory:(\/\/)?$/i.test(value)) throw invalid(`memory: takes no path (got ${redact(value)})`);
      return { kind: 'memory' };
    case 'file':
      return { kind: 'file', path: filePath(value, 'file') };
    case 'sqlite':
      return { kind: 'sqlite', path: filePath(value, 'sqlite') };
    case 'redis':
    case 'rediss':
      checkRedisUrl(value, value);
      return { kind: 'redis', url: value, cluster: false, nodes: [value] };
    case 'redis+cluster':
    case 'rediss+cluster':
      return { kind: 'redis', url: value, cluster: true, nodes: clusterNodes(value, scheme) };
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgres', url: value, schema: checkPostgresUrl(value) };
    default:
      throw invalid(`unsupported storage URL ${redact(value)}`);
  }
}

function filePath(value: string, scheme: 'file' | 'sqlite'): string {
  const rest = value.slice(scheme.length + 1);
  const example = scheme === 'file' ? { absolute: 'file:///var/lib/cryo', relative: 'file:./data', what: 'a directory' } : { absolute: 'sqlite:///var/lib/cryo/cryo.db', relative: 'sqlite:./data/cryo.db', what: 'a database file' };
  let path: string;
  if (rest === '//') throw invalid(`${scheme}:// needs a path, e.g. ${example.absolute}`);
  if (rest.startsWith('//')) {
    try {
      path = fileURLToPath(`file:${rest}`);
    } catch (error) {
      throw invalid(`bad file URL ${redact(value)}: ${(error as Error).message}`);
    }
  } else {
    path = rest;
  }
  if (path === '') throw invalid(`${scheme}: needs ${example.what}, e.g. ${example.relative}`);
  if (path.includes('\0')) throw invalid(`${scheme} path must not contain NUL`);
  return path;
}

function checkRedisUrl(nodeUrl: string, original: string): void {
  let parsed: URL;
  try {
    parsed = new URL(nodeUrl);
  } catch {
    throw invalid(`bad Redis URL ${redact(original)}`);
  }
  if (!parsed.hostname) throw invalid(`Redis URL ${redact(original)} needs a host`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw invalid(`Redis database in ${redact(original)} must be a number`);
}

const SSL_MODES = new Set(['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']);

/** Checks a postgres:// URL's shape, `sslmode` and `schema`; returns the schema (or null). */
function checkPostgresUrl(value: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid(`bad PostgreSQL URL ${redact(value)}`);
  }
  if (!parsed.hostname && !parsed.searchParams.get('host')) throw invalid(`PostgreSQL URL ${redact(value)} needs a host`);
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode !== null && !SSL_MODES.has(sslmode)) {
    throw invalid(`sslmode in ${redact(value)} must be one of ${[...SSL_MODES].join(', ')}`);
  }
  const schema = parsed.searchParams.get('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw invalid(`schema in ${redact(value)} must be lower-case letters, digits and _ (at most 63)`);
  }
  return schema;
}

function clusterNodes(value: string, scheme: string): string[] {
  const nodeScheme = scheme.startsWith('rediss') ? 'rediss' : 'redis';
  const afterScheme = value.slice(scheme.length + 1);
  if (!afterScheme.startsWith('//')) throw invalid(`bad cluster URL ${redact(value)}`);
  const body = afterScheme.slice(2);
  const end = body.search(/[/?#]/);
  const authority = end === -1 ? body : body.slice(0, end);
  const suffix = end === -1 ? '' : body.slice(end);
  if (suffix.replace(/^\//, '') !== '' && !suffix.startsWith('?')) {
    throw invalid(`cluster URL ${redact(value)} must not name a database (Redis Cluster has only db 0)`);
  }
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hosts = (at === -1 ? authority : authority.slice(at + 1)).split(',');
  if (hosts.some((h) => h.trim() === '')) throw invalid(`cluster URL ${redact(value)} needs host:port,host:port`);
  return hosts.map((host) => {
    const node = `${nodeScheme}://${userinfo}${host.trim()}${suffix.startsWith('?') ? suffix : ''}`;
    checkRedisUrl(node, value);
    return node;
  });
}

function invalid(message: string): ValidationError {
  return new ValidationError(`${message}; ${USAGE}`, 'storage');
}
