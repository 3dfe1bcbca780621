/**
 * Cursors the saver builds itself to seek without scanning: the entry at a seq, and a position in
 * the thread list. Cryo's cursors are opaque to API users but documented as unsigned
 * base64url JSON `[1, kind, ...key]` (src/schema/cursors.ts); test/langgraph/cursors.test.ts
 * checks these against the server's encoder, so a format change fails the tests, not a user.
 */

function encode(parts: readonly (string | number)[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify([1, ...parts]));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The `after` cursor that starts a page at `seq` (null for seq 0). */
export function afterSeq(seq: number): string | null {
  return seq <= 0 ? null : encode(['e', seq - 1]);
}

/** The `before` cursor that ends a page just before `seq`. */
export function beforeSeq(seq: number): string {
  return encode(['e', seq]);
}

/**
 * An `after` cursor for the thread list that starts at the first id beginning with `prefix`
 * (prefix must end with `:`). It names the string just below the prefix: the prefix with its
 * last `:` replaced by `9` (the character before `:`) followed by U+FFFF, which no key contains.
 */
export function threadsFrom(prefix: string): string {
  return encode(['t', `${prefix.slice(0, -1)}9\uffff`]);
}
