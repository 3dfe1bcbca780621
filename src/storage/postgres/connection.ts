import pg from 'pg';
import { CryoError, StorageUnavailable } from '../../domain/errors.js';

/** How to reach PostgreSQL and how long anything may take. */
export interface ConnectionSettings {
  /** `postgres://…` / `postgresql://…` (libpq style; `sslmode` chooses TLS). */
  connectionString: string;
  /** Bound for every call (pool wait, connect and all its statements). */
  timeoutMs: number;
  /** Most connections the pool opens. */
  poolSize: number;
  /** `application_name` shown in pg_stat_activity. */
  applicationName: string;
}

/**
 * Client settings every connection of the adapter uses: a connect timeout, a server-side
 * statement timeout, a bound on idle transactions (a client that died mid-transaction releases
 * its locks), TCP keep-alive. All are bounded by `timeoutMs`.
 */
export function clientConfig(settings: ConnectionSettings): pg.ClientConfig {
  return {
    connectionString: settings.connectionString,
    connectionTimeoutMillis: settings.timeoutMs,
    statement_timeout: settings.timeoutMs,
    lock_timeout: settings.timeoutMs,
    idle_in_transaction_session_timeout: Math.max(settings.timeoutMs * 2, 1000),
    keepAlive: true,
    application_name: settings.applicationName,
  };
}

/** Opens the pool. Idle clients that die (a server restart) are dropped; nothing is thrown at the process. */
export function createPool(settings: ConnectionSettings): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(settings), max: settings.poolSize, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool has already removed it.
  });
  return pool;
}

/**
 * Runs `work` on one pooled client, all of it (waiting for a client, connecting, every statement)
 * within `timeoutMs`. Past the deadline the call rejects with StorageUnavailable and the client is
 * destroyed rather than returned to the pool (its statement may still be running; the server's
 * statement_timeout ends it). A client is also destroyed after any error that is not a
 * CryoError, so a broken connection is never reused. Maps pg and socket errors with
 * {@link toStorageError}. Does NOT retry: a write that timed out may or may not have committed
 * (callers retry with expectedRev and entry ids for exactly-once).
 */
export async function withClient<T>(pool: pg.Pool, timeoutMs: number, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let held: pg.PoolClient | null = null;
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      const client = held;
      held = null;
      client?.release(new Error('deadline passed'));
      reject(new StorageUnavailable(`postgres did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const run = (async () => {
    const client = await pool.connect();
    if (expired) {
      client.release();
      throw new StorageUnavailable(`postgres did not answer within ${timeoutMs} ms`);
    }
    held = client;
    let failure: unknown = null;
    try {
      return await work(client);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      if (held === client) {
        held = null;
        client.release(failure !== null && !(failure instanceof CryoError) ? (failure as Error) : undefined);
      }
    }
  })();
  run.catch(() => {});
  try {
    return await Promise.race([run, deadline]);
  } catch (error) {
    throw toStorageError(error);
  } finally {
    clearTimeout(timer);
  }
}

/** SQLSTATE classes and codes that mean "the database is not (fully) there": retry later. */
const UNAVAILABLE_STATES = /^(08|53|57P0|57014|55P03|40001|40P01|25006|58)/;
const UNAVAILABLE_MESSAGES = /terminat|timeout|Connection|ECONN|EPIPE|closed|not queryable|Client has encountered a connection error/i;

/**
 * Maps what pg throws to Cryo errors: CryoErrors pass through; connection failures, timeouts,
 * server shutdown or overload (SQLSTATE 08…, 53…, 57P0x, 57014 statement timeout, lock timeout,
 * serialization failures, read-only standby) and socket errors become StorageUnavailable; any
 * other database error (a bug: syntax, constraint) is rethrown as is.
 */
export function toStorageError(error: unknown): Error {
  if (error instanceof CryoError) return error;
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as { code?: unknown }).code;
  if (error instanceof pg.DatabaseError) {
    return typeof code === 'string' && UNAVAILABLE_STATES.test(code)
      ? new StorageUnavailable(`postgres unavailable: ${error.message}`, { cause: error })
      : error;
  }
  if ((typeof code === 'string' && 'syscall' in error) || UNAVAILABLE_MESSAGES.test(error.message)) {
    return new StorageUnavailable(`postgres unavailable: ${error.message}`, { cause: error });
  }
  return error;
}

/** One statement on a session of {@link withSession}. */
export type SessionQuery = (config: pg.QueryConfig) => Promise<pg.QueryResult>;

/**
 * Runs `work` on one pooled client for as long as it takes (a retention sweep: many short
 * statements), with no bound on the whole but `timeoutMs` on the wait for the client and on each
 * statement (the server's statement and lock timeouts also apply). A statement past its bound
 * fails with StorageUnavailable and the client is destroyed, not returned to the pool; so is a
 * client after any error that is not a CryoError, or when `work` says so (`keep` false: e.g. it
 * could not release a session lock). Session state such as advisory locks therefore never
 * reaches another caller: the pool gets the client back only when `work` left it clean.
 */
export async function withSession<T>(
  pool: pg.Pool,
  timeoutMs: number,
  work: (query: SessionQuery, discard: () => void) => Promise<T>,
): Promise<T> {
  const client = await bounded(pool.connect(), timeoutMs, (late) => late.release()).catch((error: unknown) => {
    throw toStorageError(error);
  });
  let broken: Error | undefined;
  const query: SessionQuery = async (config) => {
    if (broken) throw new StorageUnavailable('postgres session was given up');
    try {
      return await bounded(client.query(config), timeoutMs, () => {});
    } catch (error) {
      const mapped = toStorageError(error);
      broken ??= mapped;
      throw mapped;
    }
  };
  try {
    return await work(query, () => void (broken ??= new Error('session discarded')));
  } catch (error) {
    if (!(error instanceof CryoError)) broken ??= error as Error;
    throw toStorageError(error);
  } finally {
    client.release(broken);
  }
}

/**
 * `promise`, or StorageUnavailable after `ms`. What a promise that lost the race resolves to
 * goes to `late` (to release a client that arrived after its caller gave up).
 */
function bounded<T>(promise: Promise<T>, ms: number, late: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  promise.then(
    (value) => {
      if (expired) late(value);
    },
    () => {},
  );
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        expired = true;
        reject(new StorageUnavailable(`postgres did not answer within ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
