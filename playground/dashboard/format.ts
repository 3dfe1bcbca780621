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

/**
 * A compact timestamp for a row: HH:MM:SS when `iso` is today (UTC), else MM-DD HH:MM.
 * The full date is for titles and the drawer (fullDate).
 */
export function shortStamp(iso: string, today = todayUtc()): string {
  return iso.slice(0, 10) === today ? iso.slice(11, 19) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

let today = { minute: -1, date: '' };

/** Today's UTC date, YYYY-MM-DD (recomputed at most once a minute: rows are rendered by the dozen per frame). */
function todayUtc(): string {
  const minute = Math.floor(Date.now() / 60_000);
  if (minute !== today.minute) today = { minute, date: new Date().toISOString().slice(0, 10) };
  return today.date;
}

/** One formatter for every row (creating one per call, as toLocaleString does, is slow). */
let localFormat: Intl.DateTimeFormat | null = null;

/** The full timestamp for hovers: the ISO UTC string and the reader's local time. */
export function fullDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  localFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  return `${iso} (UTC) · ${localFormat.format(date)} local`;
}

/** Compact one-line JSON, cut to `max` characters. */
export function jsonPreview(value: unknown, max = 240): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A count with thousands separators: 100000 → "100,000". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A thread's title from its metadata (`title`, then `name`), or null. */
export function threadTitle(metadata: Record<string, unknown>): string | null {
  for (const key of ['title', 'name']) {
    const value = metadata[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}
