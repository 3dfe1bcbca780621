import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useDisableIntrospection } from '@envelop/disable-introspection';
import type { GraphQLError, ValidationContext } from 'graphql';
import { createYoga, type GraphiQLOptions, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { QueryLimits } from '../config.js';
import { schema } from '../schema/index.js';
import type { CryoContext } from '../schema/context.js';
import { cryoGraphiQLOptions, renderCryoGraphiQL } from './graphiql.js';
import { withGraphiqlAuth } from './graphiql-auth.js';
import type { GraphiqlTab } from './graphiql-tabs.js';
import { useJitExecution, type JitExecutionOptions } from './jit-execute.js';
import { createMaskError } from './mask-error.js';
import { useReleaseRequestCaches } from './release-request-caches.js';
import { useRequestMediaType } from './request-media-type.js';
import { useSpecStatusCodes } from './spec-status-codes.js';
import { useStandardSubscribeOverWebSocket } from './websocket-subscribe.js';
import { createYogaLogging } from './yoga-logging.js';

/** The server context Yoga gets from Node's http server. */
export interface NodeServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

/** The Yoga instance of a Cryo app. */
export type CryoYoga = YogaServerInstance<NodeServerContext, CryoContext>;

/** Options of {@link createCryoYoga}. */
export interface CryoYogaOptions {
  production: boolean;
  logger: Logger;
  /** graphql-armor limits. */
  queryLimits: QueryLimits;
  /** The context of one operation, from Yoga's initial context (the HTTP request, or a WebSocket's). */
  createContext(initial?: unknown): CryoContext;
  /** Extra plugins (readiness, …), run after the built-in ones. */
  plugins?: Plugin[];
  /** GraphiQL tabs (outside production). */
  graphiqlTabs?: GraphiqlTab[];
  /** Credentials required: GraphiQL gets the sign-in script and does not persist headers. @default false */
  authRequired?: boolean;
  /** Compiled execution of queries and mutations (server/jit-execute.ts); false: off. @default {} */
  jit?: JitExecutionOptions | false;
}

/**
 * Yoga at `/graphql` over the Cryo schema, with the parse/validate cache (Yoga's default),
 * graphql-armor limits, masked errors, compiled execution of operations in repeated use
 * (graphql-jit, same results as the standard executor), per-operation caches released once an
 * operation has executed (server/release-request-caches.ts), `/health`, and — in production — no GraphiQL, no
 * introspection, no field suggestions and no limit details in armor's messages. Requests without
 * a supported Content-Type or in a charset other than UTF-8 get 415 (server/request-media-type.ts)
 * and refused requests get the spec's status for each response media type
 * (server/spec-status-codes.ts). It does NOT
 * limit request body size: the Node handler in front of it does (server/body-limit.ts).
 */
export function createCryoYoga(options: CryoYogaOptions): CryoYoga {
  const { production, logger, queryLimits: q } = options;
  const exposeLimits = !production;
  return createYoga<NodeServerContext, CryoContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // The Node handler in front (server/body-limit.ts) enforces the body limit, before any parsing.
    maxRequestBodySize: false,
    context: (initial) => options.createContext(initial),
    graphiql: production ? false : graphiqlOptions(cryoGraphiQLOptions(options.graphiqlTabs ?? []), options.authRequired ?? false),
    renderGraphiQL: async (graphiql) => withGraphiqlAuth(await renderCryoGraphiQL(graphiql), options.authRequired ?? false),
    maskedErrors: { maskError: createMaskError({ production, logger }) },
    logging: createYogaLogging(logger),
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: q.maxDepth, ignoreIntrospection: true, ...asValidationError('the query is nested too deep', exposeLimits) },
        maxTokens: { n: q.maxTokens, exposeLimits },
        maxAliases: { n: q.maxAliases, ...asValidationError('too many aliases', exposeLimits) },
        maxDirectives: { n: q.maxDirectives, ...asValidationError('too many directives', exposeLimits) },
        costLimit: { maxCost: q.maxCost, ignoreIntrospection: true, ...asValidationError('the query would cost too much', exposeLimits) },
        blockFieldSuggestion: { enabled: production },
      }),
      useRequestMediaType(),
      useSpecStatusCodes(),
      ...(production ? [useDisableIntrospection()] : []),
      ...(options.jit === false ? [] : [useJitExecution(options.jit)]),
      useStandardSubscribeOverWebSocket(),
      useReleaseRequestCaches(),
      ...(options.plugins ?? []),
    ],
  });
}

/**
 * Armor options that report a validation-rule limit as an ordinary validation error (HTTP 400,
 * GRAPHQL_VALIDATION_FAILED; an operation error over WebSocket) instead of throwing out of
 * validate (which Yoga answered with 200 and no code), and that name the limit without its value
 * when the values are hidden.
 */
function asValidationError(what: string, exposeLimits: boolean) {
  return {
    exposeLimits,
    errorMessage: `Query validation error: ${what}.`,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
  };
}

/** GraphiQL options; with credentials required, headers (which may hold one) are not persisted in localStorage. */
function graphiqlOptions(base: (request: Request) => GraphiQLOptions, authRequired: boolean): (request: Request) => GraphiQLOptions {
  return authRequired ? (request) => ({ ...base(request), shouldPersistHeaders: false }) : base;
}
