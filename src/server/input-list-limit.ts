import {
  getOperationAST,
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  type GraphQLInputObjectType,
  type GraphQLList,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** A variable of an operation whose type holds a list somewhere (the only ones worth walking). */
interface ListVariable {
  name: string;
  type: GraphQLInputType;
  definition: VariableDefinitionNode;
}

/**
 * A Yoga plugin that refuses, before execution, an operation whose variables hold a list longer
 * than `maxItems` at a list position of the operation's input types (e.g. `input.entries`): a
 * GraphQL error with `extensions.code` BAD_USER_INPUT and `field` naming the list.
 * graphql-js coerces every item of such a list before any resolver can check its length, so 4
 * million `{}` entries in a 12 MB body held the event loop for ~20 s. Lists inside JSON scalars
 * are not walked (the byte limits size them), and literal lists are bounded by the token limit.
 * Which variables can hold a list is worked out once per operation (documents are cached), and
 * the walk builds no path text unless it finds a list too long.
 * It does NOT replace the domain's per-call limits: give it a bound well above them, so a list
 * just over a limit still gets the typed ValidationError. Like a variable that does not coerce, the
 * error is HTTP 400 for `application/graphql-response+json` clients and 200 for `application/json`.
 */
export function useInputListLimit(maxItems: number): Plugin {
  const plans = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; variables: ListVariable[] }>();
  const planOf = (schema: GraphQLSchema, operation: OperationDefinitionNode): ListVariable[] => {
    let plan = plans.get(operation);
    if (!plan || plan.schema !== schema) {
      const variables: ListVariable[] = [];
      for (const definition of operation.variableDefinitions ?? []) {
        const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
        if (type && holdsList(type)) variables.push({ name: definition.variable.name.value, type, definition });
      }
      plans.set(operation, (plan = { schema, variables }));
    }
    return plan.variables;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const variables = args.variableValues;
      if (!variables) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return;
      for (const { name, type, definition } of planOf(args.schema, operation)) {
        if (!Object.hasOwn(variables, name)) continue;
        const found = overlong(variables[name], type, maxItems);
        if (found) {
          const path = name + found.path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('');
          const message = `${path}: the list holds ${found.length} items, far more than any operation takes (at most ${maxItems} are read)`;
          const extensions = { code: 'BAD_USER_INPUT', field: path, http: { status: 400, spec: true } };
          setResultAndStopExecution({ errors: [new GraphQLError(message, { nodes: definition, extensions })] });
          return;
        }
      }
    },
  };
}

/** The fields of each input object type that can hold a list, worked out once per type. */
const listFieldsOf = new WeakMap<GraphQLInputObjectType, [string, GraphQLInputType][]>();

function listFields(type: GraphQLInputObjectType): [string, GraphQLInputType][] {
  let fields = listFieldsOf.get(type);
  if (!fields) {
    fields = Object.entries(type.getFields())
      .filter(([, field]) => holdsList(field.type))
      .map(([key, field]): [string, GraphQLInputType] => [key, field.type]);
    listFieldsOf.set(type, fields);
  }
  return fields;
}

/** Per list type, whether its items can hold a list (worked out once). */
const itemsHoldListsOf = new WeakMap<GraphQLList<GraphQLInputType>, boolean>();

function itemsHoldLists(type: GraphQLList<GraphQLInputType>): boolean {
  let holds = itemsHoldListsOf.get(type);
  if (holds === undefined) itemsHoldListsOf.set(type, (holds = holdsList(type.ofType)));
  return holds;
}

/** True when a value of `type` can hold a list (outside JSON scalars), through any depth of input objects, recursive ones included. */
function holdsList(type: GraphQLInputType, visiting = new Set<GraphQLInputObjectType>()): boolean {
  if (isNonNullType(type)) return holdsList(type.ofType as GraphQLInputType, visiting);
  if (isListType(type)) return true;
  if (!isInputObjectType(type) || visiting.has(type)) return false;
  const known = listFieldsOf.get(type);
  if (known) return known.length > 0;
  visiting.add(type);
  return Object.values(type.getFields()).some((field) => holdsList(field.type, visiting));
}

/** The first list in `value` (read as `type`) longer than `max`: its path below `value` (built on the way out) and length; null when none. */
function overlong(value: unknown, type: GraphQLInputType, max: number): { path: (string | number)[]; length: number } | null {
  if (isNonNullType(type)) return overlong(value, type.ofType as GraphQLInputType, max);
  if (isListType(type)) {
    if (!Array.isArray(value)) return overlong(value, type.ofType as GraphQLInputType, max);
    if (value.length > max) return { path: [], length: value.length };
    const item = type.ofType as GraphQLInputType;
    if (!itemsHoldLists(type)) return null;
    for (let i = 0; i < value.length; i++) {
      const found = overlong(value[i], item, max);
      if (found) {
        found.path.unshift(i);
        return found;
      }
    }
    return null;
  }
  if (isInputObjectType(type) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, fieldType] of listFields(type)) {
      if (!Object.hasOwn(value, key)) continue;
      const found = overlong((value as Record<string, unknown>)[key], fieldType, max);
      if (found) {
        found.path.unshift(key);
        return found;
      }
    }
  }
  return null;
}
