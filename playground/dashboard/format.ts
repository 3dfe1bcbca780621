/** "just now", "42 s ago", "5 min ago", "3 h ago", or the date for anything older than a day. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return iso.slice(0, 10);
}

/** The time of day of an ISO timestamp, HH:MM:SS.mmm in UTC. */
export function clock(iso: string): string {
  return iso.slice(11, 23);
}

/** Compact one-line JSON, cut to `max` characters. */
export function jsonPreview(value: unknown, max = 240): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Splits a payload for display: the text worth showing first (its `text`, `message` or `content`
 * string, if any) and the remaining fields (null when nothing else is left).
 */
export function splitPayload(payload: Record<string, unknown>): { text: string | null; rest: Record<string, unknown> | null } {
  for (const key of ['text', 'message', 'content']) {
    const value = payload[key];
    if (typeof value !== 'string') continue;
    const { [key]: _, ...rest } = payload;
    return { text: value, rest: Object.keys(rest).length > 0 ? rest : null };
  }
  return { text: null, rest: payload };
}
