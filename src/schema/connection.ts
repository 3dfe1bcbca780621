/** A Relay page as the connection types resolve it: the edges in order, and where the page sits. */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * Builds a page of a connection from items already read in order: each item gets its cursor,
 * and the page's start and end cursors are those of its first and last item (null when empty).
 * Whether items lie beyond either end is the caller's knowledge (a storage `hasMore`, a rev), so
 * it is passed in: this does NOT read, count or check anything.
 */
export function toConnection<T>(
  items: readonly T[],
  cursorOf: (item: T) => string,
  around: { hasNextPage: boolean; hasPreviousPage: boolean },
): Connection<T> {
  const edges = items.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      ...around,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
