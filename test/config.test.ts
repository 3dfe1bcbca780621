import { describe, expect, it } from 'vitest';
import { ConfigError, defineConfig, parseConfig } from '../src/config.js';
import { DEFAULT_LIMITS } from '../src/domain/limits.js';

describe('parseConfig', () => {
  it('defaults to sqlite:./data/cryo.db on 127.0.0.1:4000, development, info logs, default limits', () => {
    const config = parseConfig({}, []);
    expect(config).toMatchObject({ storage: 'sqlite:./data/cryo.db', port: 4000, host: '127.0.0.1', production: false, logLevel: 'info' });
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.queryLimits.maxDepth).toBe(10);
    expect(config.storageTimeoutMs).toBe(2000);
  });

  it('reads allowed origins from CRYO_ALLOWED_ORIGINS (comma-separated, lower-cased)', () => {
    expect(parseConfig({}, []).allowedOrigins).toEqual([]);
    expect(parseConfig({ CRYO_ALLOWED_ORIGINS: 'https://Dash.example.com, http://localhost:5173' }, []).allowedOrigins).toEqual([
      'https://dash.example.com',
      'http://localhost:5173',
    ]);
    expect(parseConfig({}, ['--allowed-origins', '*']).allowedOrigins).toEqual(['*']);
  });

  it('reads the file durability mode from CRYO_FILE_DURABILITY or --file-durability (default wal)', () => {
    expect(parseConfig({}, []).fileDurability).toBe('wal');
    expect(parseConfig({ CRYO_FILE_DURABILITY: 'per-thread-fsync' }, []).fileDurability).toBe('per-thread-fsync');
    expect(() => parseConfig({}, ['--file-durability', 'none'])).toThrow(/--file-durability must be one of wal, per-thread-fsync/);
  });

  it('reads the live-layer tuning from CRYO_LIVE_* / --live-* and --max-pending-checkpoint-events', () => {
    expect(parseConfig({}, []).live).toEqual({ pageSize: 100, queueCapacity: 200, maxPendingCheckpointEvents: 1000 });
    const config = parseConfig({ CRYO_LIVE_PAGE_SIZE: '16' }, ['--max-pending-checkpoint-events=5']);
    expect(config.live).toEqual({ pageSize: 16, queueCapacity: 32, maxPendingCheckpointEvents: 5 });
    expect(() => parseConfig({}, ['--live-queue-capacity', '0'])).toThrow(/--live-queue-capacity must be an integer between 1/);
  });

  it('reads the storage timeout from CRYO_STORAGE_TIMEOUT_MS or --storage-timeout-ms', () => {
    expect(parseConfig({ CRYO_STORAGE_TIMEOUT_MS: '500' }, []).storageTimeoutMs).toBe(500);
    expect(parseConfig({ CRYO_STORAGE_TIMEOUT_MS: '500' }, ['--storage-timeout-ms=750']).storageTimeoutMs).toBe(750);
  });

  it('reads the environment, and flags win over it', () => {
    const env = { CRYO_STORAGE: 'memory:', PORT: '0', HOST: '0.0.0.0', NODE_ENV: 'production', CRYO_MAX_ENTRIES_PER_APPEND: '10', CRYO_MAX_QUERY_DEPTH: '7' };
    const config = parseConfig(env, ['--port=8080', '--storage', 'redis://127.0.0.1:6390/2', '--max-page-size', '100', '--log-level', 'silent']);
    expect(config).toMatchObject({ storage: 'redis://127.0.0.1:6390/2', port: 8080, host: '0.0.0.0', production: true, logLevel: 'silent' });
    expect(config.limits).toMatchObject({ maxEntriesPerAppend: 10, maxPageSize: 100 });
    expect(config.queryLimits.maxDepth).toBe(7);
  });

  it.each([
    [{ PORT: '70000' }, [], /PORT must be an integer between 0 and 65535/],
    [{ PORT: '-1' }, [], /PORT must be an integer/],
    [{}, ['--port', 'x'], /--port must be an integer/],
    [{ CRYO_STORAGE: 'mysql://x' }, [], /CRYO_STORAGE \/ --storage: .*unsupported storage URL/],
    [{ CRYO_STORAGE: 'postgres://h/db?sslmode=sometimes' }, [], /CRYO_STORAGE \/ --storage: .*sslmode in .* must be one of/],
    [{ CRYO_MAX_ENTRY_BYTES: '1MiB' }, [], /CRYO_MAX_ENTRY_BYTES must be an integer/],
    [{ CRYO_MAX_PAGE_SIZE: '0' }, [], /CRYO_MAX_PAGE_SIZE must be an integer between 1/],
    [{ CRYO_DEFAULT_PAGE_SIZE: '600' }, [], /CRYO_DEFAULT_PAGE_SIZE \(600\) must not exceed CRYO_MAX_PAGE_SIZE \(500\)/],
    [{ CRYO_LOG_LEVEL: 'loud' }, [], /CRYO_LOG_LEVEL must be one of/],
    [{ CRYO_STORAGE_TIMEOUT_MS: '0' }, [], /CRYO_STORAGE_TIMEOUT_MS must be an integer between 1/],
    [{ CRYO_ALLOWED_ORIGINS: 'https://dash.example.com/app' }, [], /CRYO_ALLOWED_ORIGINS .* is not an origin/],
    [{}, ['--verbose'], /unknown argument "--verbose"/],
    [{}, ['--storage'], /--storage needs a value/],
    [{}, ['--host', '--port'], /--host needs a value/],
  ] as const)('refuses %j %j', (env, argv, message) => {
    expect(() => parseConfig(env, argv)).toThrow(ConfigError);
    expect(() => parseConfig(env, argv)).toThrow(message);
  });

  it('reads the default retention policy and the sweep interval (CRYO_RETENTION_*, --retention-*)', () => {
    const none = parseConfig({}, []);
    expect(none.limits.defaultRetention).toBeNull();
    expect(none.retentionSweepSeconds).toBe(60);
    expect(parseConfig({ CRYO_RETENTION_MAX_ENTRIES: '1000' }, []).limits.defaultRetention).toEqual({ maxEntries: 1000, maxAgeSeconds: null });
    const both = parseConfig({ CRYO_RETENTION_MAX_AGE_SECONDS: '86400' }, ['--retention-max-entries=50', '--retention-sweep-seconds', '0']);
    expect(both.limits.defaultRetention).toEqual({ maxEntries: 50, maxAgeSeconds: 86400 });
    expect(both.retentionSweepSeconds).toBe(0);
    expect(() => parseConfig({ CRYO_RETENTION_MAX_ENTRIES: '0' }, [])).toThrow(/CRYO_RETENTION_MAX_ENTRIES must be an integer between 1 and 2147483647/);
    expect(() => parseConfig({}, ['--retention-max-age-seconds', '2147483648'])).toThrow(/--retention-max-age-seconds must be an integer between 1/);
    expect(() => parseConfig({ CRYO_RETENTION_SWEEP_SECONDS: 'often' }, [])).toThrow(/CRYO_RETENTION_SWEEP_SECONDS must be an integer between 0 and 86400/);
    expect(() => defineConfig({ limits: { defaultRetention: { maxEntries: -1, maxAgeSeconds: null } } })).toThrow(/defaultRetention.maxEntries\): must be between 1/);
    expect(() => defineConfig({ retentionSweepSeconds: -1 })).toThrow(/CRYO_RETENTION_SWEEP_SECONDS/);
  });

  it('defineConfig validates overrides too', () => {
    expect(() => defineConfig({ port: 1.5 })).toThrow(/PORT/);
    expect(defineConfig({ limits: { maxPageSize: 9, defaultPageSize: 9 } }).limits.maxPageSize).toBe(9);
  });
});
