/**
 * Removes from the front of `queue` the requests one write call carries: the first one always
 * (however large), then more while their buffers together stay within `maxBytes`. Order is kept.
 */
export function takeBatch<T extends { buffer: Buffer }>(queue: T[], maxBytes: number): T[] {
  let bytes = 0;
  let n = 0;
  while (n < queue.length && (n === 0 || bytes + queue[n]!.buffer.length <= maxBytes)) {
    bytes += queue[n]!.buffer.length;
    n++;
  }
  return queue.splice(0, n);
}
