import { AUTH_SETTINGS, checkAuthConfig, DEFAULT_AUTH, type AuthConfig } from './auth/auth-config.js';
import { DEFAULT_LIMITS, MAX_REV, type Limits } from './domain/limits.js';
import { validateRetentionPolicy } from './domain/retention.js';
import { FILE_DURABILITIES, type FileDurability } from './storage/file/durability.js';
import { resolveLiveOptions, type LiveOptions, type ResolvedLiveOptions } from './live/events.js';
import { parseStorageUrl } from './storage/url.js';
import { isModuleStorageUrl } from './storage/url-scheme.js';

/** Log levels the server accepts (pino's, plus "silent"). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the server needs, parsed and checked once (docs/architecture.md). */
export interface CryoConfig {
  /** Storage URL: `memory:`, `sqlite:./data/cryo.db`, `file:./data`, `redis://…`, `postgres://…`. @default "sqlite:./data/cryo.db" */
  storage: string;
  /**
   * A module (file path or package name) whose export `createStorage(url, options)` opens storage
   * URLs of schemes no built-in adapter knows (docs/adapters.md). @default null
   */
  storageModule: string | null;
  /** TCP port; 0 picks a free one. @default 4000 */
  port: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host: string;
  /** NODE_ENV=production: no GraphiQL, no introspection, no error details, no limit details. */
  production: boolean;
  /** @default "info" */
  logLevel: LogLevel;
  /** Input limits; every one can be set (see {@link LIMIT_SETTINGS}). */
  limits: Limits;
  /** Limits on the shape of GraphQL documents (graphql-armor), over HTTP and WebSocket alike. */
  queryLimits: QueryLimits;
  /** Tuning of the live layer (subscriptions): page size, queue bounds (see {@link LIVE_SETTINGS}). */
  live: ResolvedLiveOptions;
  /** Milliseconds in-flight requests get to finish on shutdown before connections are cut. @default 10000 */
  shutdownGraceMs: number;
  /** Milliseconds a storage call may take before it fails with STORAGE_UNAVAILABLE (Redis, Postgres). @default 2000 */
  storageTimeoutMs: number;
  /**
   * Browser origins besides the server's own that may call it (HTTP and WebSocket), as exact
   * lower-case `scheme://host[:port]`, or `*` for any. @default [] (same origin only)
   */
  allowedOrigins: string[];
  /**
   * File storage durability: `wal` (one shared write-ahead log, one fdatasync per round for all
   * threads) or `per-thread-fsync` (each journal fsynced itself). Both fsync before acknowledging.
   * @default "wal"
   */
  fileDurability: FileDurability;
  /** Serve Prometheus metrics at `/metrics` (CRYO_METRICS=on|off). @default true */
  metrics: boolean;
  /**
   * OTLP/HTTP base URL traces are exported to (`OTEL_EXPORTER_OTLP_ENDPOINT`), or null for no
   * tracing (the OpenTelemetry SDK is then never loaded). @default null
   */
  otlpEndpoint: string | null;
  /** Access: credentials required or not, JWT keys, fair-use caps (see src/auth/auth-config.ts). */
  auth: AuthConfig;
  /**
   * Seconds between two retention sweeps (src/retention/sweeper.ts: maxAgeSeconds policies, and
   * maxEntries ones set before a checkpoint moved); 0: no sweep. @default 60
   */
  retentionSweepSeconds: number;
}

/** Limits on GraphQL documents, enforced before execution. */
export interface QueryLimits {
  /** Selection depth (the deepest query the schema allows today is 8). @default 10 */
  maxDepth: number;
  /** Lexer tokens in one document. @default 2000 */
  maxTokens: number;
  /** Aliases in one operation. @default 15 */
  maxAliases: number;
  /** Directives in one operation. @default 50 */
  maxDirectives: number;
  /**
   * graphql-armor cost: fields weighted by depth, multiplied by literal `first`/`last`; one
   * 500-entry page nested in thaw costs ~80k, a page of pages millions. @default 200000
   */
  maxCost: number;
}

/** The defaults of {@link QueryLimits}. */
export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxDepth: 10,
  maxTokens: 2000,
  maxAliases: 15,
  maxDirectives: 50,
  maxCost: 200_000,
});

/** A setting was missing its value, malformed or out of range. The message names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The limits that are plain positive integers (all but defaultRetention, set by the retention settings). */
export type IntegerLimit = Exclude<keyof Limits, 'defaultRetention'>;

/** The limit settings: config key, environment variable, command-line flag, what it bounds. */
export const LIMIT_SETTINGS: readonly { key: IntegerLimit; env: string; flag: string; help: string }[] = [
  { key: 'maxEntriesPerAppend', env: 'CRYO_MAX_ENTRIES_PER_APPEND', flag: '--max-entries-per-append', help: 'entries in one appendEntries or hibernate' },
  { key: 'maxEntryBytes', env: 'CRYO_MAX_ENTRY_BYTES', flag: '--max-entry-bytes', help: 'serialized size of one entry, bytes' },
  { key: 'maxStateBytes', env: 'CRYO_MAX_STATE_BYTES', flag: '--max-state-bytes', help: "serialized size of a checkpoint's state, bytes" },
  { key: 'maxMetadataBytes', env: 'CRYO_MAX_METADATA_BYTES', flag: '--max-metadata-bytes', help: "serialized size of a thread's metadata, bytes" },
  { key: 'maxRequestBytes', env: 'CRYO_MAX_REQUEST_BYTES', flag: '--max-request-bytes', help: 'HTTP request body / WebSocket message, bytes' },
  { key: 'maxIdLength', env: 'CRYO_MAX_ID_LENGTH', flag: '--max-id-length', help: 'length of ids, characters' },
  { key: 'maxKindLength', env: 'CRYO_MAX_KIND_LENGTH', flag: '--max-kind-length', help: 'length of an entry kind, characters' },
  { key: 'maxPageSize', env: 'CRYO_MAX_PAGE_SIZE', flag: '--max-page-size', help: 'largest page a caller may ask for' },
  { key: 'defaultPageSize', env: 'CRYO_DEFAULT_PAGE_SIZE', flag: '--default-page-size', help: 'page size when none is given' },
];

/** The query-shape settings: config key, environment variable, command-line flag, what it bounds. */
export const QUERY_LIMIT_SETTINGS: readonly { key: keyof QueryLimits; env: string; flag: string; help: string }[] = [
  { key: 'maxDepth', env: 'CRYO_MAX_QUERY_DEPTH', flag: '--max-query-depth', help: 'selection depth of a GraphQL document' },
  { key: 'maxTokens', env: 'CRYO_MAX_QUERY_TOKENS', flag: '--max-query-tokens', help: 'tokens in a GraphQL document' },
  { key: 'maxAliases', env: 'CRYO_MAX_QUERY_ALIASES', flag: '--max-query-aliases', help: 'aliases in an operation' },
  { key: 'maxDirectives', env: 'CRYO_MAX_QUERY_DIRECTIVES', flag: '--max-query-directives', help: 'directives in an operation' },
  { key: 'maxCost', env: 'CRYO_MAX_QUERY_COST', flag: '--max-query-cost', help: 'graphql-armor cost of an operation' },
];

/** The live-layer settings: config key, environment variable, command-line flag, what it bounds. */
export const LIVE_SETTINGS: readonly { key: keyof ResolvedLiveOptions; env: string; flag: string; help: string }[] = [
  { key: 'pageSize', env: 'CRYO_LIVE_PAGE_SIZE', flag: '--live-page-size', help: 'entries per storage read of a subscription' },
  { key: 'queueCapacity', env: 'CRYO_LIVE_QUEUE_CAPACITY', flag: '--live-queue-capacity', help: 'entries queued for one thread subscriber (at least the page size; default 2 × it)' },
  {
    key: 'maxPendingCheckpointEvents',
    env: 'CRYO_MAX_PENDING_CHECKPOINT_EVENTS',
    flag: '--max-pending-checkpoint-events',
    help: 'undelivered events before a checkpointEvents subscriber is ended as too slow',
  },
];

/**
 * The retention settings (docs/architecture.md, "Retention"): the default policy of new threads
 * (limits.defaultRetention) and the sweep interval (retentionSweepSeconds).
 */
export const RETENTION_SETTINGS = {
  maxEntries: {
    env: 'CRYO_RETENTION_MAX_ENTRIES',
    flag: '--retention-max-entries',
    help: 'default policy of threads created without one: keep the last N entries (as far as checkpoints allow)',
  },
  maxAgeSeconds: {
    env: 'CRYO_RETENTION_MAX_AGE_SECONDS',
    flag: '--retention-max-age-seconds',
    help: 'default policy of threads created without one: drop entries older than N seconds (by the sweep)',
  },
  sweepSeconds: {
    env: 'CRYO_RETENTION_SWEEP_SECONDS',
    flag: '--retention-sweep-seconds',
    help: 'seconds between retention sweeps; 0: no sweep',
  },
} as const;

/** The server settings besides limits: environment variable and command-line flag of each. */
export const SERVER_SETTINGS = {
  storage: { env: 'CRYO_STORAGE', flag: '--storage', help: 'storage URL: memory:, file:<dir>, redis://host:port/db, redis+cluster://host:port,…' },
  storageModule: {
    env: 'CRYO_STORAGE_MODULE',
    flag: '--storage-module',
    help: 'module (path or package) whose createStorage(url, options) opens URLs of other schemes',
  },
  port: { env: 'PORT', flag: '--port', help: 'TCP port; 0 picks a free one' },
  host: { env: 'HOST', flag: '--host', help: 'interface to listen on (0.0.0.0 for all)' },
  logLevel: { env: 'CRYO_LOG_LEVEL', flag: '--log-level', help: `log level: ${LOG_LEVELS.join(', ')}` },
  shutdownGraceMs: { env: 'CRYO_SHUTDOWN_GRACE_MS', flag: '--shutdown-grace-ms', help: 'on SIGTERM/SIGINT, ms in-flight requests may take' },
  storageTimeoutMs: { env: 'CRYO_STORAGE_TIMEOUT_MS', flag: '--storage-timeout-ms', help: 'ms a storage call may take before STORAGE_UNAVAILABLE' },
  allowedOrigins: { env: 'CRYO_ALLOWED_ORIGINS', flag: '--allowed-origins', help: 'browser origins allowed besides the own, comma-separated, or *' },
  fileDurability: { env: 'CRYO_FILE_DURABILITY', flag: '--file-durability', help: `file storage durability: ${FILE_DURABILITIES.join(', ')}` },
  metrics: { env: 'CRYO_METRICS', flag: '--metrics', help: 'serve Prometheus metrics at /metrics: on or off' },
  otlpEndpoint: { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', flag: '--otlp-endpoint', help: 'OTLP/HTTP base URL to export traces to (unset: no tracing)' },
} as const;

/** True when the command line asks for the settings (`--help` or `-h`) instead of a server. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * The text `npm start -- --help` prints: every setting's flag, environment variable, default
 * and meaning, from the same tables parseConfig reads (so it cannot fall behind them).
 */
export function settingsHelp(): string {
  const defaults = defineConfig();
  const rows: [string, string, string, string][] = [
    ...(Object.entries(SERVER_SETTINGS) as [keyof typeof SERVER_SETTINGS, (typeof SERVER_SETTINGS)[keyof typeof SERVER_SETTINGS]][]).map(
      ([key, s]): [string, string, string, string] => [s.flag, s.env, String(defaults[key] ?? '') || '(none)', s.help],
    ),
    ...LIMIT_SETTINGS.map((s): [string, string, string, string] => [s.flag, s.env, String(defaults.limits[s.key]), s.help]),
    ...QUERY_LIMIT_SETTINGS.map((s): [string, string, string, string] => [s.flag, s.env, String(defaults.queryLimits[s.key]), s.help]),
    ...LIVE_SETTINGS.map((s): [string, string, string, string] => [s.flag, s.env, String(defaults.live[s.key]), s.help]),
    [RETENTION_SETTINGS.maxEntries.flag, RETENTION_SETTINGS.maxEntries.env, '(none)', RETENTION_SETTINGS.maxEntries.help],
    [RETENTION_SETTINGS.maxAgeSeconds.flag, RETENTION_SETTINGS.maxAgeSeconds.env, '(none)', RETENTION_SETTINGS.maxAgeSeconds.help],
    [RETENTION_SETTINGS.sweepSeconds.flag, RETENTION_SETTINGS.sweepSeconds.env, String(defaults.retentionSweepSeconds), RETENTION_SETTINGS.sweepSeconds.help],
  ];
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length));
  const lines = rows.map(([flag, env, value, help]) => `  ${flag.padEnd(width(0))}  ${env.padEnd(width(1))}  ${value.padEnd(width(2))}  ${help}`);
  return [
    'Usage: npm start -- [--flag value | --flag=value]…',
    '',
    'Every setting is a flag or an environment variable (a flag wins). NODE_ENV=production turns off',
    'GraphiQL, introspection and error details.',
    '',
    `  ${'flag'.padEnd(width(0))}  ${'environment'.padEnd(width(1))}  ${'default'.padEnd(width(2))}  meaning`,
    ...lines,
    '',
  ].join('\n');
}

/** The defaults, with `overrides` applied (limits merged). For tests and embedding; validates. */
export function defineConfig(
  overrides: Partial<Omit<CryoConfig, 'limits' | 'queryLimits' | 'live' | 'auth'>> & {
    limits?: Partial<Limits>;
    queryLimits?: Partial<QueryLimits>;
    live?: LiveOptions;
    auth?: Partial<AuthConfig>;
  } = {},
): CryoConfig {
  const config: CryoConfig = {
    storage: 'sqlite:./data/cryo.db',
    storageModule: null,
    port: 4000,
    host: '127.0.0.1',
    production: false,
    logLevel: 'info',
    shutdownGraceMs: 10_000,
    storageTimeoutMs: 2_000,
    allowedOrigins: [],
    fileDurability: 'wal',
    metrics: true,
    otlpEndpoint: null,
    retentionSweepSeconds: 60,
    ...overrides,
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
    queryLimits: { ...DEFAULT_QUERY_LIMITS, ...overrides.queryLimits },
    live: resolveLiveOptions(overrides.live),
    auth: { ...DEFAULT_AUTH, ...overrides.auth },
  };
  checkConfig(config);
  return config;
}

/**
 * Parses the settings from the environment and the command line (`--flag value` or
 * `--flag=value`; a flag wins over its variable). Throws ConfigError naming the bad setting;
 * unknown flags are errors too. Reads nothing else (no files, no network).
 */
export function parseConfig(env: Record<string, string | undefined>, argv: readonly string[]): CryoConfig {
  const flags = parseFlags(argv);
  const pick = (s: { env: string; flag: string }): { value: string; from: string } | undefined => {
    const flag = flags.get(s.flag);
    if (flag !== undefined) return { value: flag, from: s.flag };
    const value = env[s.env];
    return value === undefined || value === '' ? undefined : { value, from: s.env };
  };
  const overrides: Parameters<typeof defineConfig>[0] = { production: env['NODE_ENV'] === 'production' };
  const storage = pick(SERVER_SETTINGS.storage);
  if (storage) overrides.storage = storage.value;
  const storageModule = pick(SERVER_SETTINGS.storageModule);
  if (storageModule) overrides.storageModule = storageModule.value.trim();
  const port = pick(SERVER_SETTINGS.port);
  if (port) overrides.port = integer(port, 0, 65_535);
  const host = pick(SERVER_SETTINGS.host);
  if (host) overrides.host = host.value;
  const logLevel = pick(SERVER_SETTINGS.logLevel);
  if (logLevel) {
    if (!(LOG_LEVELS as readonly string[]).includes(logLevel.value)) {
      throw new ConfigError(`${logLevel.from} must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(logLevel.value)})`);
    }
    overrides.logLevel = logLevel.value as LogLevel;
  }
  const grace = pick(SERVER_SETTINGS.shutdownGraceMs);
  if (grace) overrides.shutdownGraceMs = integer(grace, 0, 600_000);
  const storageTimeout = pick(SERVER_SETTINGS.storageTimeoutMs);
  if (storageTimeout) overrides.storageTimeoutMs = integer(storageTimeout, 1, 600_000);
  const durability = pick(SERVER_SETTINGS.fileDurability);
  if (durability) {
    if (!(FILE_DURABILITIES as readonly string[]).includes(durability.value)) {
      throw new ConfigError(`${durability.from} must be one of ${FILE_DURABILITIES.join(', ')} (got ${JSON.stringify(durability.value)})`);
    }
    overrides.fileDurability = durability.value as FileDurability;
  }
  const metrics = pick(SERVER_SETTINGS.metrics);
  if (metrics) {
    if (metrics.value !== 'on' && metrics.value !== 'off') {
      throw new ConfigError(`${metrics.from} must be on or off (got ${JSON.stringify(metrics.value)})`);
    }
    overrides.metrics = metrics.value === 'on';
  }
  const otlp = pick(SERVER_SETTINGS.otlpEndpoint);
  if (otlp) overrides.otlpEndpoint = otlp.value.trim();
  const origins = pick(SERVER_SETTINGS.allowedOrigins);
  if (origins) overrides.allowedOrigins = origins.value.split(',').map((o) => o.trim().toLowerCase()).filter(Boolean);
  /** The integer settings of one table that were given, by config key. */
  const integers = <K extends string>(settings: readonly { key: K; env: string; flag: string }[], max: number) => {
    const values: Partial<Record<K, number>> = {};
    for (const setting of settings) {
      const value = pick(setting);
      if (value) values[setting.key] = integer(value, 1, max);
    }
    return values;
  };
  overrides.limits = integers(LIMIT_SETTINGS, Number.MAX_SAFE_INTEGER);
  overrides.queryLimits = integers(QUERY_LIMIT_SETTINGS, Number.MAX_SAFE_INTEGER);
  overrides.live = integers(LIVE_SETTINGS, 1_000_000);
  const maxEntries = pick(RETENTION_SETTINGS.maxEntries);
  const maxAgeSeconds = pick(RETENTION_SETTINGS.maxAgeSeconds);
  if (maxEntries || maxAgeSeconds) {
    overrides.limits.defaultRetention = {
      maxEntries: maxEntries ? integer(maxEntries, 1, MAX_REV) : null,
      maxAgeSeconds: maxAgeSeconds ? integer(maxAgeSeconds, 1, MAX_REV) : null,
    };
  }
  const sweep = pick(RETENTION_SETTINGS.sweepSeconds);
  if (sweep) overrides.retentionSweepSeconds = integer(sweep, 0, 86_400);
  const auth: Record<string, unknown> = {};
  for (const setting of AUTH_SETTINGS) {
    const value = pick(setting);
    if (value) auth[setting.key] = setting.integer ? integer(value, setting.min ?? 0, Number.MAX_SAFE_INTEGER) : value.value;
  }
  overrides.auth = auth as Partial<AuthConfig>;
  return defineConfig(overrides);
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const known = new Set<string>(
    [
      ...Object.values(SERVER_SETTINGS),
      ...LIMIT_SETTINGS,
      ...QUERY_LIMIT_SETTINGS,
      ...LIVE_SETTINGS,
      ...Object.values(RETENTION_SETTINGS),
      ...AUTH_SETTINGS,
    ].map((s) => s.flag),
  );
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!known.has(name)) {
      throw new ConfigError(`unknown argument ${JSON.stringify(arg)} (known: ${[...known].join(', ')})`);
    }
    let value: string | undefined = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new ConfigError(`${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

function integer(setting: { value: string; from: string }, min: number, max: number): number {
  const trimmed = setting.value.trim();
  const n = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${setting.from} must be an integer between ${min} and ${max} (got ${JSON.stringify(setting.value)})`);
  }
  return n;
}

function checkConfig(config: CryoConfig): void {
  if (config.storageModule !== null && config.storageModule.trim() === '') {
    throw new ConfigError('CRYO_STORAGE_MODULE / --storage-module must not be empty');
  }
  // A URL of a scheme no built-in adapter knows is the storage module's to check.
  if (!(config.storageModule && isModuleStorageUrl(config.storage))) {
    try {
      parseStorageUrl(config.storage);
    } catch (error) {
      const hint = isModuleStorageUrl(config.storage) ? ' (or set CRYO_STORAGE_MODULE / --storage-module to a module that opens it)' : '';
      throw new ConfigError(`CRYO_STORAGE / --storage: ${(error as Error).message}${hint}`);
    }
  }
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65_535) {
    throw new ConfigError(`PORT / --port must be an integer between 0 and 65535 (got ${config.port})`);
  }
  if (config.host.trim() === '') throw new ConfigError('HOST / --host must not be empty');
  for (const origin of config.allowedOrigins) {
    if (origin !== '*' && !isOrigin(origin)) {
      throw new ConfigError(
        `CRYO_ALLOWED_ORIGINS / --allowed-origins: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], lower case, no path) or *`,
      );
    }
  }
  if (config.otlpEndpoint !== null && !/^https?:\/\/[^/]/i.test(config.otlpEndpoint)) {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_ENDPOINT / --otlp-endpoint must be an http(s) URL (got ${JSON.stringify(config.otlpEndpoint)})`);
  }
  if (!Number.isSafeInteger(config.storageTimeoutMs) || config.storageTimeoutMs < 1) {
    throw new ConfigError(`CRYO_STORAGE_TIMEOUT_MS / --storage-timeout-ms must be a positive integer (got ${config.storageTimeoutMs})`);
  }
  for (const setting of LIMIT_SETTINGS) {
    const value = config.limits[setting.key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigError(`${setting.env} / ${setting.flag} must be a positive integer (got ${value})`);
    }
  }
  for (const setting of QUERY_LIMIT_SETTINGS) {
    const value = config.queryLimits[setting.key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigError(`${setting.env} / ${setting.flag} must be a positive integer (got ${value})`);
    }
  }
  try {
    config.limits.defaultRetention = validateRetentionPolicy(config.limits.defaultRetention, 'defaultRetention');
  } catch (error) {
    throw new ConfigError(
      `CRYO_RETENTION_MAX_ENTRIES / CRYO_RETENTION_MAX_AGE_SECONDS (limits.${(error as { field?: string }).field ?? 'defaultRetention'}): ${(error as { reason?: string }).reason ?? (error as Error).message}`,
    );
  }
  if (!Number.isSafeInteger(config.retentionSweepSeconds) || config.retentionSweepSeconds < 0 || config.retentionSweepSeconds > 86_400) {
    throw new ConfigError(`CRYO_RETENTION_SWEEP_SECONDS / --retention-sweep-seconds must be an integer between 0 and 86400 (got ${config.retentionSweepSeconds})`);
  }
  const authProblem = checkAuthConfig(config.auth);
  if (authProblem) throw new ConfigError(authProblem);
  if (config.limits.defaultPageSize > config.limits.maxPageSize) {
    throw new ConfigError(
      `CRYO_DEFAULT_PAGE_SIZE (${config.limits.defaultPageSize}) must not exceed CRYO_MAX_PAGE_SIZE (${config.limits.maxPageSize})`,
    );
  }
}

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}
