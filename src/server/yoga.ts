import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useDisableIntrospection } from '@envelop/disable-introspection';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { schema } from '../schema/index.js';
import type { CryoContext } from '../schema/context.js';
import type { GraphiqlTab } from './graphiql-tabs.js';
import { createMaskError } from './mask-error.js';

/** The server context Yoga gets from Node's http server. */
export interface NodeServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

/** The Yoga instance of a Cryo app. */
export type CryoYoga = YogaServerInstance<NodeServerContext, CryoContext>;

/** Query-shape limits (graphql-armor); they apply over HTTP and over WebSocket (via getEnveloped). */
export const QUERY_LIMITS = {
  /** Selection depth: a thaw → thread → entries → edges → node → payload query is 6 deep. */
  maxDepth: 10,
  maxTokens: 2000,
  maxAliases: 15,
  maxDirectives: 50,
  /** Armor multiplies literal first/last into the cost: one 500-entry page nested in thaw costs ~80k. */
  maxCost: 200_000,
} as const;

/** Options of {@link createCryoYoga}. */
export interface CryoYogaOptions {
  production: boolean;
  logger: Logger;
  createContext(): CryoContext;
  /** Extra plugins (readiness, …), run after the built-in ones. */
  plugins?: Plugin[];
  /** GraphiQL tabs (outside production). */
  graphiqlTabs?: GraphiqlTab[];
}

/**
 * Yoga at `/graphql` over the Cryo schema, with the parse/validate cache (Yoga's default),
 * graphql-armor limits, masked errors, `/health`, and — in production — no GraphiQL, no
 * introspection, no field suggestions and no limit details in armor's messages. It does NOT
 * limit request body size: the Node handler in front of it does (server/body-limit.ts).
 */
export function createCryoYoga(options: CryoYogaOptions): CryoYoga {
  const { production, logger } = options;
  const exposeLimits = !production;
  return createYoga<NodeServerContext, CryoContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    context: () => options.createContext(),
    graphiql: production
      ? false
      : { title: 'Cryo', defaultTabs: options.graphiqlTabs ?? [], subscriptionsProtocol: 'WS' },
    maskedErrors: { maskError: createMaskError({ production, logger }) },
    logging: {
      debug: (...args: unknown[]) => logger.debug({ args }, 'yoga'),
      info: (...args: unknown[]) => logger.info({ args }, 'yoga'),
      warn: (...args: unknown[]) => logger.warn({ args }, 'yoga'),
      error: (...args: unknown[]) => logger.error({ args }, 'yoga'),
    },
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: QUERY_LIMITS.maxDepth, exposeLimits, ignoreIntrospection: true },
        maxTokens: { n: QUERY_LIMITS.maxTokens, exposeLimits },
        maxAliases: { n: QUERY_LIMITS.maxAliases, exposeLimits },
        maxDirectives: { n: QUERY_LIMITS.maxDirectives, exposeLimits },
        costLimit: { maxCost: QUERY_LIMITS.maxCost, exposeLimits, ignoreIntrospection: true },
        blockFieldSuggestion: { enabled: production },
      }),
      ...(production ? [useDisableIntrospection()] : []),
      ...(options.plugins ?? []),
    ],
  });
}
