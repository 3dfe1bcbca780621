import {
  getOperationAST,
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  type GraphQLInputType,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * A Yoga plugin that refuses, before execution, an operation whose variables hold a list longer
 * than `maxItems` at a list position of the operation's input types (e.g. `input.entries`): a
 * GraphQL error with `extensions.code` BAD_USER_INPUT and `field` naming the list.
 * graphql-js coerces every item of such a list before any resolver can check its length, so 4
 * million `{}` entries in a 12 MB body held the event loop for ~20 s. Lists inside JSON scalars
 * are not walked (the byte limits size them), and literal lists are bounded by the token limit.
 * It does NOT replace the domain's per-call limits: give it a bound well above them, so a list
 * just over a limit still gets the typed ValidationError. Like a variable that does not coerce, the
 * error is HTTP 400 for `application/graphql-response+json` clients and 200 for `application/json`.
 */
export function useInputListLimit(maxItems: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const variables = args.variableValues;
      if (!variables) return;
      const definitions = getOperationAST(args.document, args.operationName)?.variableDefinitions ?? [];
      for (const definition of definitions) {
        const name = definition.variable.name.value;
        if (!Object.hasOwn(variables, name)) continue;
        const type = typeFromAST(args.schema, definition.type) as GraphQLInputType | undefined;
        const found = type && overlong(variables[name], type, name, maxItems);
        if (found) {
          const message = `${found.path}: the list holds ${found.length} items, far more than any operation takes (at most ${maxItems} are read)`;
          const extensions = { code: 'BAD_USER_INPUT', field: found.path, http: { status: 400, spec: true } };
          setResultAndStopExecution({ errors: [new GraphQLError(message, { nodes: definition, extensions })] });
          return;
        }
      }
    },
  };
}

/** The first list in `value` (read as `type`) longer than `max`, with its path; null when none. */
function overlong(value: unknown, type: GraphQLInputType, path: string, max: number): { path: string; length: number } | null {
  if (isNonNullType(type)) return overlong(value, type.ofType, path, max);
  if (isListType(type)) {
    if (!Array.isArray(value)) return overlong(value, type.ofType as GraphQLInputType, path, max);
    if (value.length > max) return { path, length: value.length };
    for (let i = 0; i < value.length; i++) {
      const found = overlong(value[i], type.ofType as GraphQLInputType, `${path}[${i}]`, max);
      if (found) return found;
    }
    return null;
  }
  if (isInputObjectType(type) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const fields = type.getFields();
    for (const key in fields) {
      if (!Object.hasOwn(value, key)) continue;
      const found = overlong((value as Record<string, unknown>)[key], fields[key]!.type, `${path}.${key}`, max);
      if (found) return found;
    }
  }
  return null;
}
