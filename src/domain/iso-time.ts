let lastMs = Number.NaN;
let lastIso = '';

/**
 * `date.toISOString()`, remembering the last result: calls within the same millisecond (many
 * appends per ms under load) reuse one string instead of formatting again. Throws RangeError for
 * an invalid Date exactly as toISOString does (NaN never matches the remembered time).
 */
export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastMs) {
    lastIso = date.toISOString();
    lastMs = ms;
  }
  return lastIso;
}
