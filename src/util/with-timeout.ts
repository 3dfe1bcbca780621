/**
 * Settles like `promise`, unless `ms` pass first: then rejects with `onTimeout()`. Clears its
 * timer either way. Does NOT cancel the work behind `promise` (it keeps running; its outcome is
 * dropped).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
