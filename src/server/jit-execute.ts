import {
  BREAK,
  getLocation,
  getOperationAST,
  GraphQLError,
  GraphQLSchema,
  Kind,
  OperationTypeNode,
  visit,
  type ASTNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

/** Options of {@link useJitExecution}. */
export interface JitExecutionOptions {
  /**
   * How many times an operation (of one parsed document) runs on the standard executor before
   * it is compiled. Compiling costs ~5× a parse + validate (≈1 ms for a small mutation, ≈8 ms for
   * a 400-token query), so a client sending each new document only a few times cannot make the
   * server compile more than it parses. 0 compiles on first use. @default 10
   */
  compileAfter?: number;
  /** Called once per operation when it is compiled (`compiled: false` when graphql-jit refused it). */
  onCompile?(event: { operationName: string | null; compiled: boolean }): void;
}

type ExecuteFn = Parameters<NonNullable<Plugin['onExecute']>>[0]['executeFn'];

interface Slot {
  schema: GraphQLSchema;
  uses: number;
  /** undefined: not decided yet; null: stays on the standard executor. */
  compiled: CompiledQuery | null | undefined;
  /** The standard execute function `execute` falls back to, and the compiled one built around it. */
  fallback: ExecuteFn | undefined;
  execute: ExecuteFn | undefined;
}

/** The document's field nodes by `line:column`, to find an error's nodes from its locations. */
const fieldsByLocation = new WeakMap<DocumentNode, Map<string, FieldNode>>();

function fieldAt(document: DocumentNode, line: number, column: number): FieldNode | undefined {
  let fields = fieldsByLocation.get(document);
  if (!fields) {
    const found = new Map<string, FieldNode>();
    visit(document, {
      [Kind.FIELD](node: FieldNode) {
        if (node.loc) {
          const at = getLocation(node.loc.source, node.loc.start);
          found.set(`${at.line}:${at.column}`, node);
        }
      },
    });
    fieldsByLocation.set(document, (fields = found));
  }
  return fields.get(`${line}:${column}`);
}

/**
 * True when a variable appears inside a list or object literal (`payload: { a: $v }`). graphql-jit
 * coerces a scalar's literal once, when compiling and without variables, so such a variable would
 * silently become null in JSON/JSONObject literals; these documents stay on the standard executor.
 */
function hasVariableInLiteral(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.VARIABLE](_node, _key, _parent, _path, ancestors) {
      if (ancestors.some((a) => !Array.isArray(a) && ((a as ASTNode).kind === Kind.OBJECT || (a as ASTNode).kind === Kind.LIST))) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * graphql-jit's field errors carry locations but no AST nodes, and drop the extensions of a
 * GraphQLError a resolver threw; Yoga and our maskError rebuild errors from their nodes, so the
 * locations would be lost. This rebuilds each one the way graphql-js's locatedError does, with
 * the field nodes found again from the locations. Errors graphql-jit raised itself (a null in a
 * non-null field, a value a scalar cannot serialize) get an originalError, so masking treats them
 * as unexpected (graphql-js does so for most of them; the rest it would show unmasked). The keys
 * come in graphql-js's order (errors, then data).
 */
function asStandardResult(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => {
    const original = error.originalError;
    if (original instanceof GraphQLError && original.path) return original;
    const nodes = error.locations
      ?.map((l) => fieldAt(document, l.line, l.column))
      .filter((node): node is FieldNode => node !== undefined);
    const cause = original ?? new Error(error.message);
    const fromGraphQL = cause instanceof GraphQLError ? cause : undefined;
    return new GraphQLError(cause.message, {
      nodes: fromGraphQL?.nodes ?? (nodes?.length ? nodes : undefined),
      source: fromGraphQL?.source,
      positions: fromGraphQL?.positions,
      path: error.path,
      originalError: cause,
    });
  });
  return 'data' in result ? { errors, data: result.data } : { errors };
}

/** Per schema, the same types with the Mutation type as the query root (see {@link compileTarget}). */
const mutationAsQueryRoot = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * What to hand graphql-jit for an operation. A mutation that selects exactly one root field is
 * compiled like a query over a view of the schema whose query root is the Mutation type: with a
 * single root field, serial and parallel execution are the same thing, and graphql-jit's serial
 * wrapper made each mutation's request and context outlive it until the next minor GC (~1 MB
 * copied and promoted per minor GC under load; bench/gc-survival.ts, bench/README.md). Resolvers
 * still see the operation node and the schema of the request in their info (the enricher puts them
 * back). Anything else (several root fields, fragments at the root) is compiled as it is.
 */
function compileTarget(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) {
  const [only, ...more] = operation.selectionSet.selections;
  const mutationType = schema.getMutationType();
  if (operation.operation !== 'mutation' || !mutationType || more.length > 0 || only?.kind !== Kind.FIELD) return { schema, document, options: {} };
  let view = mutationAsQueryRoot.get(schema);
  if (!view) mutationAsQueryRoot.set(schema, (view = new GraphQLSchema({ ...schema.toConfig(), query: mutationType, mutation: null, subscription: null })));
  const asQuery: OperationDefinitionNode = { ...operation, operation: OperationTypeNode.QUERY };
  return {
    schema: view,
    document: { ...document, definitions: document.definitions.map((d) => (d === operation ? asQuery : d)) },
    options: { resolverInfoEnricher: () => ({ operation, schema }) },
  };
}

/**
 * Runs queries and mutations through graphql-jit (compiled resolvers, result completion and
 * variable coercion) once an operation has been seen {@link JitExecutionOptions.compileAfter}
 * times; compiled operations are kept per parsed document (Yoga's parse cache bounds how many
 * there are). Behaviour stays the standard executor's:
 * - variables graphql-jit refuses are handed to the standard executor, which produces the
 *   canonical errors (messages, locations, 400) — graphql-jit's own messages differ; nothing has
 *   run at that point, so nothing runs twice;
 * - a request already aborted goes to the standard executor (which refuses to start it);
 * - subscriptions, and documents graphql-jit cannot compile, never leave the standard executor.
 * Parsing, validation (graphql-armor), masking and result formatting are untouched: they happen
 * outside execute. It does NOT honour an abort signal once a compiled operation has started.
 */
export function useJitExecution(options: JitExecutionOptions = {}): Plugin {
  const compileAfter = options.compileAfter ?? 10;
  // Keyed by the operation's node (not its name, which a client could vary at will): at most one
  // slot per operation of a cached document, freed with the document.
  const slots = new WeakMap<OperationDefinitionNode, Slot>();

  const slotFor = (args: ExecutionArgs): Slot | null => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation || operation.operation === 'subscription') return null;
    let slot = slots.get(operation);
    if (!slot || slot.schema !== args.schema) {
      slots.set(operation, (slot = { schema: args.schema, uses: 0, compiled: undefined, fallback: undefined, execute: undefined }));
    }
    if (slot.compiled === undefined && slot.uses++ >= compileAfter) {
      const target = compileTarget(args.schema, args.document, operation);
      const result = hasVariableInLiteral(args.document)
        ? null
        : compileQuery(target.schema, target.document, args.operationName ?? undefined, target.options);
      slot.compiled = result && isCompiledQuery(result) ? result : null;
      options.onCompile?.({ operationName: args.operationName ?? null, compiled: slot.compiled !== null });
    }
    return slot;
  };

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const slot = slotFor(args);
      if (!slot?.compiled) return;
      if (slot.fallback !== executeFn || !slot.execute) {
        slot.fallback = executeFn;
        slot.execute = compiledExecute(slot.compiled, executeFn);
      }
      setExecuteFn(slot.execute);
    },
  };
}

/** An execute function running `compiled`, handing refused variables and aborted requests to `fallback`. */
function compiledExecute(compiled: CompiledQuery, fallback: ExecuteFn): ExecuteFn {
  // graphql-jit answers refused variables with a result without `data`, before running anything.
  const settle = (result: ExecutionResult, args: ExecutionArgs) =>
    'data' in result ? asStandardResult(result, args.document) : fallback(args);
  return (args) => {
    if ((args as { signal?: AbortSignal }).signal?.aborted) return fallback(args);
    const result = compiled.query(args.rootValue, args.contextValue, args.variableValues ?? {});
    return result instanceof Promise ? result.then((r) => settle(r, args)) : settle(result, args);
  };
}
