/**
 * Retries `probe` until it resolves, for at most `withinMs` (then its last error is thrown).
 * For states no event announces (an external Redis coming back): waits on a state, never on a
 * fixed delay standing in for synchronisation.
 */
export async function eventually<T>(probe: () => Promise<T>, withinMs = 10_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
