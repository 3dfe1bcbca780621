/**
 * The API's entry and thread cursors, built here so the dashboard can start a page at any seq
 * (jump to a seq, page back) or at any thread id (prefix search). The format is the server's
 * (src/schema/cursors.ts: base64url of `[1, kind, key]`), which documents that callers may forge
 * cursors to move their own page window; test/browser/dashboard-units.test.ts checks both agree.
 */

function encode(parts: (string | number)[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify([1, ...parts]));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The cursor of the entry at `seq` (pass as `after` to start a page at seq + 1). */
export function entryCursor(seq: number): string {
  return encode(['e', seq]);
}

/** The cursor of thread `id` in the thread list (pass as `after` for the ids sorting after it). */
export function threadCursor(id: string): string {
  return encode(['t', id]);
}
