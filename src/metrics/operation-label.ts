import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';

/** The bounded labels of one GraphQL operation. */
export interface OperationLabel {
  /** query, mutation or subscription. */
  kind: string;
  /**
   * The root field the operation calls (e.g. "appendEntries"): a field of the schema, so the set
   * is bounded by the code. "multiple" when it calls several, "introspection" for `__schema` /
   * `__type`, "unknown" when there is none to name (only `__typename`, fragments on the root).
   * Never the client's operation name, which is free text.
   */
  operation: string;
}

const cache = new WeakMap<DocumentNode, Map<string | null, OperationLabel>>();

/**
 * Labels an operation that passed validation by its root fields. Cached per parsed document (Yoga
 * caches documents, so repeated operations cost a map lookup).
 */
export function operationLabel(document: DocumentNode, operationName: string | null | undefined): OperationLabel {
  let byName = cache.get(document);
  if (!byName) cache.set(document, (byName = new Map()));
  const key = operationName ?? null;
  let label = byName.get(key);
  if (!label) {
    label = computeLabel(findOperation(document, key));
    if (byName.size < 16) byName.set(key, label);
  }
  return label;
}

function findOperation(document: DocumentNode, name: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (name === null) return operations.length === 1 ? operations[0] : undefined;
  return operations.find((o) => o.name?.value === name);
}

function computeLabel(operation: OperationDefinitionNode | undefined): OperationLabel {
  if (!operation) return { kind: 'unknown', operation: 'unknown' };
  const names = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return { kind: operation.operation, operation: 'unknown' };
    if (selection.name.value !== '__typename') names.add(selection.name.value);
  }
  if (names.size === 0) return { kind: operation.operation, operation: 'unknown' };
  if (names.size > 1) return { kind: operation.operation, operation: 'multiple' };
  const [only] = names as Set<string> & { size: 1 };
  return { kind: operation.operation, operation: only!.startsWith('__') ? 'introspection' : only! };
}
