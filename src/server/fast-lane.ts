import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { createGraphQLError, processRegularResult, type Plugin } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { addressOf, type Access, type AccessRefusal, type Caller } from './access.js';
import { responseMediaTypeOf } from './response-media-type.js';
import { correctSpecStatuses } from './spec-status-codes.js';
import type { CryoYoga } from './yoga.js';

/** Options of {@link FastLane}. */
export interface FastLaneOptions {
  access: Access;
  /** How many distinct documents are remembered as proven; past that the memory starts afresh. @default 1000 (Yoga's parse cache size) */
  maxProven?: number;
}

/** The parameters of a plain GraphQL request body: exactly these keys, of these types. */
interface PlainParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

type Handled = boolean;

/**
 * The common request, answered without Yoga's HTTP layer: a `POST` of a JSON object body
 * (`query`, and optionally `variables` and `operationName`: nothing else) to the GraphQL endpoint,
 * with no `Origin` header (no CORS to answer), an `Accept` header Yoga answers with a plain
 * GraphQL response (or none), a caller the authenticator already knows, and a query or mutation
 * whose document Yoga has already parsed, validated (graphql-armor's rules included) and executed
 * (proven: {@link plugin} records the parsed document; validation depends on nothing but the
 * document and the schema, so it is not repeated). Such a request runs through Yoga's own envelop
 * (`yoga.getEnveloped`: the same context, the same execution plugins — compiled execution,
 * input-list limit, masking, metrics, traces, released caches — and the same executor); only the
 * Fetch API request/response objects, URL parsing, the parse/validate cache lookups and Yoga's
 * per-request hook chain are skipped (docs/architecture.md, bench/README.md). The response is
 * Yoga's: a result without errors is written directly (200, `<media type>; charset=utf-8`); one
 * with errors goes through Yoga's regular result processor after this server's status
 * corrections (server/spec-status-codes.ts).
 *
 * {@link handler}'s function returns false, having done nothing, for any request that does not qualify
 * (nothing parsed or executed, no fair-use token taken), so the caller hands it to Yoga, which
 * answers it as always: every refusal (unknown documents, hence parse and validation errors; an
 * unknown credential; an undeterminable operation), subscriptions, other media types, batches.
 * It does NOT read the body (server/body-limit.ts hands a JSON object body over parsed in
 * `req.body`).
 */
export class FastLane {
  /** Proven documents by their text: parsed and validated by Yoga's pipeline, so neither is repeated here. */
  readonly #proven = new Map<string, DocumentNode>();
  readonly #maxProven: number;
  #served = 0;

  constructor(readonly options: FastLaneOptions) {
    this.#maxProven = options.maxProven ?? 1000;
  }

  /** How many requests this lane has answered (the rest went to Yoga). */
  get served(): number {
    return this.#served;
  }

  /** The Yoga plugin that records each document executed (so it parsed and validated) as proven. */
  plugin(): Plugin {
    return {
      onExecute: ({ args }) => {
        const query = (args.contextValue as { params?: { query?: unknown } } | undefined)?.params?.query;
        if (typeof query !== 'string' || this.#proven.has(query)) return;
        if (this.#proven.size >= this.#maxProven) this.#proven.clear();
        this.#proven.set(query, args.document);
      },
    };
  }

  /**
   * The Node handler over `yoga`, at Yoga's own GraphQL endpoint: true when it took the request
   * (and answers it), false when Yoga must.
   */
  handler(yoga: CryoYoga): (req: IncomingMessage, res: ServerResponse) => Handled {
    const { access } = this.options;
    const graphqlEndpoint = yoga.graphqlEndpoint;
    const proven = this.#proven;
    const lane = this;
    return (req, res) => {
      if (req.method !== 'POST' || req.url !== graphqlEndpoint || req.headers.origin !== undefined) return false;
      if (!PLAIN_JSON.test(req.headers['content-type'] ?? '')) return false;
      const params = plainParams((req as IncomingMessage & { body?: unknown }).body);
      if (!params) return false;
      const document = proven.get(params.query);
      if (!document) return false;
      const operation = getOperationAST(document, params.operationName);
      if (!operation || operation.operation === 'subscription') return false;
      const mediaType = responseMediaTypeOf(req.headers.accept);
      if (!mediaType) return false;
      const caller = access.knownCaller(req.headers.authorization ?? null, addressOf(req));
      if (!caller) return false;
      lane.#served++;
      const refusal = access.admit(caller);
      if (refusal) {
        sendRefusal(res, refusal);
        return true;
      }
      const initial: FastLaneContext = { req, res, params, caller };
      const enveloped = yoga.getEnveloped(initial);
      let result: ExecutionResult | Promise<ExecutionResult>;
      try {
        const contextValue = enveloped.contextFactory();
        result = isPromise(contextValue)
          ? contextValue.then((settled) => execute(enveloped, document, settled, params))
          : execute(enveloped, document, contextValue, params);
      } catch (error) {
        result = errorResult(yoga, error);
      }
      if (isPromise(result)) {
        result.then(
          (settled) => sendResult(yoga, res, settled, mediaType),
          (error: unknown) => sendResult(yoga, res, errorResult(yoga, error), mediaType),
        );
      } else {
        sendResult(yoga, res, result, mediaType);
      }
      return true;
    };
  }
}

type Enveloped = ReturnType<CryoYoga['getEnveloped']>;

/** Runs the operation as Yoga's processRequest does: the enveloped executor, the request's variables and operation name. */
function execute(enveloped: Enveloped, document: DocumentNode, contextValue: unknown, params: PlainParams): ExecutionResult | Promise<ExecutionResult> {
  return enveloped.execute({
    schema: enveloped.schema,
    document,
    contextValue,
    variableValues: params.variables,
    operationName: params.operationName,
  }) as ExecutionResult | Promise<ExecutionResult>;
}

/** Yoga's initial context for a fast-lane request: the Node pair, the parameters and the admitted caller (read by Access.callerOf). */
interface FastLaneContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: PlainParams;
  caller: Caller;
}

/** `application/json`, with no parameter but a UTF-8 charset. */
const PLAIN_JSON = /^application\/json(?:\s*;\s*charset="?utf-?8"?)?$/i;

/** The body's parameters when it is a plain object holding only well-typed `query`, `variables`, `operationName`; else null. */
function plainParams(body: unknown): PlainParams | null {
  if (body === null || typeof body !== 'object' || Object.getPrototypeOf(body) !== Object.prototype) return null;
  for (const key in body) {
    if (key !== 'query' && key !== 'variables' && key !== 'operationName') return null;
  }
  const { query, variables, operationName } = body as Record<string, unknown>;
  if (typeof query !== 'string' || query === '') return null;
  if (variables != null && (typeof variables !== 'object' || Object.getPrototypeOf(variables) !== Object.prototype)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  return body as PlainParams;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | null)?.then === 'function';
}

/** What Yoga answers when execution throws (rare: resolvers' errors are in the result): the masked error. */
function errorResult(yoga: CryoYoga, error: unknown): ExecutionResult {
  // Yoga's own masking (the maskedErrors option, logging what it masks): a field Yoga does not
  // type as public. Should a Yoga upgrade rename it, the error is hidden, never shown raw.
  const masking = (yoga as unknown as { maskedErrorsOpts?: MaskingOptions | null }).maskedErrorsOpts;
  if (!masking) return { errors: [createGraphQLError('Unexpected error.')] };
  const masked = masking.maskError(error, masking.errorMessage, masking.isDev);
  if (masked instanceof GraphQLError) return { errors: [masked] };
  const message = masked instanceof Error ? masked.message : String(masked);
  return { errors: [createGraphQLError(message, { originalError: masked instanceof Error ? masked : undefined })] };
}

interface MaskingOptions {
  errorMessage: string;
  isDev?: boolean;
  maskError(error: unknown, message: string, isDev?: boolean): unknown;
}

function sendRefusal(res: ServerResponse, refusal: AccessRefusal): void {
  res.writeHead(refusal.status, { ...refusal.headers, 'content-length': Buffer.byteLength(refusal.body) });
  res.end(refusal.body);
}

/** Writes a result as Yoga's regular result processor would. */
function sendResult(yoga: CryoYoga, res: ServerResponse, result: ExecutionResult, mediaType: string): void {
  if (res.destroyed || res.writableEnded) return;
  if (!result.errors && !result.extensions) {
    const body = JSON.stringify(result);
    res.writeHead(200, { 'content-type': `${mediaType}; charset=utf-8`, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  correctSpecStatuses(result);
  const response = processRegularResult(result, yoga.fetchAPI, mediaType);
  void response.text().then((body) => {
    if (res.destroyed || res.writableEnded) return;
    const headers: Record<string, string | number> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(response.status, headers);
    res.end(body);
  });
}
