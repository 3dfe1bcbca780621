/**
 * TEMPORARY (retention work in progress, issue 12): a Storage method an adapter does not
 * implement yet. Rejects with a plain Error naming the adapter and method. Must be gone before
 * the retention work lands.
 */
export function notYet(kind: string, method: string): () => Promise<never> {
  return () => Promise.reject(new Error(`${method}: not implemented by the ${kind} adapter yet`));
}
