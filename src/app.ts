import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { authRequired, isLoopbackHost } from './auth/auth-config.js';
import { Authenticator } from './auth/authenticator.js';
import { FairUse } from './auth/fair-use.js';
import type { CryoConfig } from './config.js';
import { LiveHub } from './live/live-hub.js';
import { Access } from './server/access.js';
import type { CryoContext } from './schema/context.js';
import type { Attach, ServerAttachment } from './server/attachment.js';
import { withBodyLimit } from './server/body-limit.js';
import { answerClientErrors } from './server/client-error.js';
import { FastLane } from './server/fast-lane.js';
import { loadGraphiqlTabs } from './server/graphiql-tabs.js';
import { createHomePage } from './server/home-page.js';
import { closeHttpServer } from './server/http-close.js';
import { HttpSubscriptions } from './server/http-subscriptions.js';
import { useInputListLimit } from './server/input-list-limit.js';
import { createLogger } from './server/logger.js';
import { isCrossOrigin, refuseCrossOrigin } from './server/origin.js';
import { Readiness } from './server/readiness.js';
import { attachWebSocket } from './server/websocket.js';
import { createCryoYoga, type CryoYoga } from './server/yoga.js';
import { watchFileStorage } from './metrics/file-storage-metrics.js';
import { instrumentStorage } from './metrics/instrument-storage.js';
import { observeLiveLag } from './metrics/live-metrics.js';
import { useMetricsEndpoint, type MetricsAuthorizer } from './metrics/metrics-endpoint.js';
import { useObserveOperations } from './metrics/observe-operations.js';
import { CryoMetrics } from './metrics/registry.js';
import type { Tracing } from './metrics/tracing.js';
import { RetentionSweeper, type Schedule, type SweepOutcome } from './retention/sweeper.js';
import { openStorage } from './storage/open.js';
import type { Storage } from './storage/types.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Input lists longer than this many times maxEntriesPerAppend are refused before coercion. */
const INPUT_LIST_FACTOR = 10;

/** Options of {@link buildApp} beyond the config (for tests and embedding). */
export interface AppOptions {
  /** Use this storage instead of opening `config.storage`. It is lent: stop() does not close it. */
  storage?: Storage;
  /** Logger; default: a pino logger at `config.logLevel`. */
  logger?: Logger;
  /** Add-ons attached to the HTTP server on start, closed on stop. @default [attachWebSocket] */
  attachments?: Attach[];
  /** The dashboard's built files, served at `/` when `index.html` exists. @default "<repo>/playground/dist" */
  dashboardDir?: string | null;
  /** Saved operations loaded into GraphiQL. @default "<repo>/playground/operations" */
  operationsDir?: string | null;
  /**
   * Who may read `/metrics`.
   * @default with auth on, a credential carrying the `metrics` scope (401 without one, 403 without the scope); with auth off, everyone
   */
  authorizeMetrics?: MetricsAuthorizer;
  /** How retention sweeps are scheduled (tests fire them by hand). @default an unref'd setTimeout */
  retentionSchedule?: Schedule;
  /**
   * Answer plain queries and mutations without Yoga's HTTP layer (server/fast-lane.ts); false:
   * every request goes through Yoga (tests compare the two). @default true
   */
  fastLane?: boolean;
}

/** A built Cryo server: one HTTP server with Yoga, `/health`, `/ready`, the page at `/`, and attachments. */
export interface App {
  readonly config: CryoConfig;
  readonly storage: Storage;
  /** The live layer (subscriptions) over `storage`, tuned by `config.live`; closed by stop(). */
  readonly live: LiveHub;
  readonly yoga: CryoYoga;
  readonly server: Server;
  readonly logger: Logger;
  /** The Prometheus registry behind `/metrics`, or null when `config.metrics` is off. */
  readonly metrics: CryoMetrics | null;
  /** Whether callers must present a credential (CRYO_AUTH resolved against the host). */
  readonly authRequired: boolean;
  /** The HTTP fast lane in front of Yoga (server/fast-lane.ts), or null when `options.fastLane` is false. */
  readonly fastLane: FastLane | null;
  /**
   * The periodic retention sweep (every config.retentionSweepSeconds, started by start(), stopped
   * by stop()), or null when that setting is 0.
   */
  readonly retention: RetentionSweeper | null;
  /**
   * Listens on config.host:config.port (0 = a free port), then attaches the add-ons. Resolves
   * with the base URL and the port; rejects with the listen error (e.g. EADDRINUSE) before any
   * add-on is attached.
   */
  start(): Promise<{ url: string; port: number }>;
  /**
   * Graceful stop (docs/architecture.md): readiness off, the retention sweeper stopped (a sweep in progress finishes), attachments closed (WebSockets 1001),
   * SSE subscriptions cut (their clients reconnect), HTTP closed with in-flight requests
   * finishing (cut after config.shutdownGraceMs), Yoga disposed, the live layer closed (its
   * subscriptions end, its feed listeners stop), storage closed (unless lent). Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Builds the server from a config: opens the storage (or takes a lent one), creates the live
 * layer over it, builds Yoga and the Node HTTP server. Nothing listens until start(). Reads no environment, argv or signals.
 */
export async function buildApp(config: CryoConfig, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const ownsStorage = !options.storage;
  const rawStorage = options.storage ?? (await openStorage(config.storage, {
      limits: config.limits,
      redis: { commandTimeoutMs: config.storageTimeoutMs },
      postgres: { timeoutMs: config.storageTimeoutMs },
      file: { durability: config.fileDurability },
      logger,
      storageModule: config.storageModule,
    }));
  const metrics = config.metrics ? new CryoMetrics() : null;
  let tracing: Tracing | null = null;
  if (config.otlpEndpoint) {
    const { startTracing } = await import('./metrics/tracing.js');
    tracing = await startTracing({ endpoint: config.otlpEndpoint });
  }
  if (metrics) watchFileStorage(rawStorage, metrics);
  const instrumented = instrumentStorage(rawStorage, { metrics, tracer: tracing?.tracer });
  const storage = instrumented.storage;
  const readiness = new Readiness(storage, config.storageTimeoutMs);
  const httpSubscriptions = new HttpSubscriptions();
  const live = new LiveHub(storage, config.live);
  if (metrics) observeLiveLag(live, metrics);
  const auth = config.auth;
  const authenticator = new Authenticator({
    storage,
    cacheMs: auth.cacheMs,
    jwt: { secret: auth.jwtSecret, jwksFile: auth.jwksFile, issuer: auth.jwtIssuer, audience: auth.jwtAudience },
  });
  const fairUse = new FairUse(auth);
  const access = new Access({ required: authRequired(auth, config.host), authenticator, fairUse, graphqlEndpoint: '/graphql', logger });
  const createContext = (initial?: unknown): CryoContext => {
    const { identity, client } = access.callerOf(initial as Parameters<Access['callerOf']>[0]);
    return { storage, live, namespace: identity.namespace, identity, client, fairUse, limits: config.limits, logger };
  };
  const lane = options.fastLane === false ? null : new FastLane({ access });
  const operationsDir = options.operationsDir === undefined ? `${ROOT}playground/operations` : options.operationsDir;
  const yoga = createCryoYoga({
    production: config.production,
    logger,
    queryLimits: config.queryLimits,
    createContext,
    plugins: [
      readiness.plugin('/ready'),
      access.plugin(),
      httpSubscriptions.plugin(),
      useInputListLimit(INPUT_LIST_FACTOR * config.limits.maxEntriesPerAppend),
      ...(metrics ? [useMetricsEndpoint(metrics, options.authorizeMetrics ?? ((request) => access.authorizeMetrics(request)))] : []),
      ...(metrics || tracing ? [useObserveOperations(metrics, tracing)] : []),
      ...(lane ? [lane.plugin()] : []),
    ],
    graphiqlTabs: config.production || !operationsDir ? [] : loadGraphiqlTabs(operationsDir),
    authRequired: access.options.required,
  });
  const homePage = createHomePage(options.dashboardDir === undefined ? `${ROOT}playground/dist` : options.dashboardDir);
  const yogaHandler = yoga as unknown as (req: IncomingMessage, res: ServerResponse) => void;
  const fastLane = lane?.handler(yoga);
  const graphql = withBodyLimit(
    config.limits.maxRequestBytes,
    fastLane ? (req, res) => fastLane(req, res) || yogaHandler(req, res) : yogaHandler,
  );
  const server = createServer((req, res) => {
    if (homePage(req, res)) return;
    if (isCrossOrigin(req, config.allowedOrigins)) refuseCrossOrigin(req, res);
    else graphql(req, res);
  });
  answerClientErrors(server);
  const attachments: ServerAttachment[] = [];
  let stopping: Promise<void> | undefined;
  const retention =
    config.retentionSweepSeconds > 0
      ? new RetentionSweeper({
          storage,
          intervalMs: config.retentionSweepSeconds * 1000,
          logger,
          schedule: options.retentionSchedule,
          onSweep: metrics ? (outcome) => countSweep(metrics, outcome) : undefined,
        })
      : null;

  return {
    config,
    storage,
    live,
    yoga,
    server,
    logger,
    metrics,
    authRequired: access.options.required,
    fastLane: lane,
    retention,
    async start() {
      if (auth.mode === 'off' && !isLoopbackHost(config.host)) {
        logger.warn({ host: config.host }, 'auth is OFF on a non-loopback address (CRYO_AUTH=off): anyone who can reach this server can read and write every agent\'s state');
      }
      // Auth off: no credential is ever checked, so nothing needs to hear revocations.
      if (access.options.required) await authenticator.start();
      // Listen first: an add-on attached before would also hear a listen error (graphql-ws
      // prints it with a stack), and a taken port must fail with one line.
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      for (const attach of options.attachments ?? [attachWebSocket]) {
        attachments.push(await attach({ server, yoga, config, storage, logger, createContext, access, authenticator, fairUse }));
      }
      retention?.start();
      const { port, address, family } = server.address() as AddressInfo;
      const host = family === 'IPv6' ? `[${address}]` : address;
      const url = `http://${host}:${port}/`;
      logger.debug({ url, storage: storage.kind, production: config.production }, 'listening');
      return { url, port };
    },
    stop() {
      stopping ??= (async () => {
        readiness.drain();
        logger.info('draining');
        await retention?.stop();
        for (const attachment of attachments) await attachment.close();
        httpSubscriptions.cutAll();
        await closeHttpServer(server, config.shutdownGraceMs);
        await yoga.dispose();
        await live.close();
        await authenticator.close();
        if (ownsStorage) await storage.close();
        else instrumented.detach();
        await tracing?.shutdown();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

/** Counts one retention sweep in the metrics. */
function countSweep(metrics: CryoMetrics, outcome: SweepOutcome): void {
  if (!outcome.ok) metrics.retentionSweeps.inc({ outcome: 'failed' });
  else if (outcome.result.skipped) metrics.retentionSweeps.inc({ outcome: 'skipped' });
  else {
    metrics.retentionSweeps.inc({ outcome: 'done' });
    metrics.retentionSweptEntries.inc(outcome.result.dropped);
  }
}
